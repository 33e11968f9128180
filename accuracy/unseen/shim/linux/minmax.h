/* Perfi accuracy shim: min/max without the kernel's type checks. */
#ifndef PERFI_SHIM_LINUX_MINMAX_H
#define PERFI_SHIM_LINUX_MINMAX_H
#define min(x, y) ((x) < (y) ? (x) : (y))
#define max(x, y) ((x) > (y) ? (x) : (y))
#endif
