/* Perfi accuracy shim: bit-search helpers on gcc builtins. */
#ifndef PERFI_SHIM_LINUX_BITOPS_H
#define PERFI_SHIM_LINUX_BITOPS_H
#include <linux/types.h>
#define BITS_PER_LONG 64
static inline unsigned long __fls(unsigned long word)
{
	return 63 - __builtin_clzl(word);
}
static inline unsigned long __ffs(unsigned long word)
{
	return __builtin_ctzl(word);
}
#endif
