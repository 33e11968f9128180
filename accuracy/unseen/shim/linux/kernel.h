/* Perfi accuracy shim. */
#ifndef PERFI_SHIM_LINUX_KERNEL_H
#define PERFI_SHIM_LINUX_KERNEL_H
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/export.h>
#include <linux/bitops.h>
#include <linux/minmax.h>
#define swap(a, b) do { typeof(a) perfi_tmp = (a); (a) = (b); (b) = perfi_tmp; } while (0)
#endif
