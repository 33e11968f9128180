/* Perfi accuracy shim: compiler annotations as gcc spells them. */
#ifndef PERFI_SHIM_LINUX_COMPILER_H
#define PERFI_SHIM_LINUX_COMPILER_H
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef __pure
#define __pure __attribute__((pure))
#endif
#ifndef __attribute_const__
#define __attribute_const__ __attribute__((const))
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef noinline
#define noinline __attribute__((noinline))
#endif
#ifndef __must_check
#define __must_check
#endif
#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif
#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif
#ifndef __cold
#define __cold
#endif
#endif
