/* Perfi accuracy shim: struct list_head is in linux/types.h. */
#ifndef PERFI_SHIM_LINUX_LIST_H
#define PERFI_SHIM_LINUX_LIST_H
#include <linux/types.h>
#endif
