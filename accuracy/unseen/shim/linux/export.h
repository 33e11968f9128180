/* Perfi accuracy shim: no module symbol tables in user space. */
#ifndef PERFI_SHIM_LINUX_EXPORT_H
#define PERFI_SHIM_LINUX_EXPORT_H
#define EXPORT_SYMBOL(sym) extern int perfi_export_##sym
#define EXPORT_SYMBOL_GPL(sym) extern int perfi_export_##sym
#endif
