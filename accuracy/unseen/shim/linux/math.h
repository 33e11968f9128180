/* Perfi accuracy shim. */
#ifndef PERFI_SHIM_LINUX_MATH_H
#define PERFI_SHIM_LINUX_MATH_H
#include <linux/types.h>
#endif
