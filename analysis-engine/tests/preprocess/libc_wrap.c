/* C library headers. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <limits.h>
#include <errno.h>

static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
size_t copy_bytes(void *dst, const void *src, size_t n) { memcpy(dst, src, n); return n + INT_MAX - UINT8_MAX; }
int fail(void) { return errno == EINVAL ? EXIT_FAILURE : EXIT_SUCCESS; }
