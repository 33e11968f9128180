/* Perfi accuracy shim. */
#ifndef PERFI_SHIM_LINUX_LIMITS_H
#define PERFI_SHIM_LINUX_LIMITS_H
#include <limits.h>
#endif
