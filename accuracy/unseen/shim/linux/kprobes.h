/* Perfi accuracy shim. */
#ifndef PERFI_SHIM_LINUX_KPROBES_H
#define PERFI_SHIM_LINUX_KPROBES_H
#define NOKPROBE_SYMBOL(sym) extern int perfi_nokprobe_##sym
#endif
