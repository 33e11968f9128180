/* Perfi accuracy shim: the C library's string functions. */
#ifndef PERFI_SHIM_LINUX_STRING_H
#define PERFI_SHIM_LINUX_STRING_H
#include <string.h>
#endif
