/* Perfi accuracy shim: module metadata is dropped. */
#ifndef PERFI_SHIM_LINUX_MODULE_H
#define PERFI_SHIM_LINUX_MODULE_H
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/export.h>
#define MODULE_LICENSE(x) extern int perfi_module_license
#define MODULE_DESCRIPTION(x) extern int perfi_module_description
#define MODULE_AUTHOR(x) extern int perfi_module_author
#endif
