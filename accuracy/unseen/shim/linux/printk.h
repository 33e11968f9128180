/* Perfi accuracy shim: no kernel log. */
#ifndef PERFI_SHIM_LINUX_PRINTK_H
#define PERFI_SHIM_LINUX_PRINTK_H
#endif
