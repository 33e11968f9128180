/* Loops for the machine-code attribution tests (written for Perfi). */
#include <stdint.h>

/* gcc 12 -O2 vectorizes this (the trip count is a multiple of any vector
   width): one machine iteration stores several 2-byte entries. */
void fill_group(uint16_t *entries, uint16_t v)
{
    for (unsigned i = 0; i < 256; i++)
        entries[i] = v;
}

/* The same loop, kept scalar. */
__attribute__((optimize("no-tree-vectorize")))
void fill_group_scalar(uint16_t *entries, uint16_t v)
{
    for (unsigned i = 0; i < 256; i++)
        entries[i] = v;
}

/* An inner loop whose start (`j = 0`) shares its line with its test and
   step: the start runs once per outer iteration, the rest per inner one. */
void spread(uint8_t *t, uint8_t p)
{
    for (int i = 128; i; i >>= 1) {
        for (int j = 0; j < 256; j += 2 * i)
            t[i + j] = t[j] ^ p;
    }
}

uint16_t g_entries[256];
uint8_t g_table[256];
void run_fill(void) { fill_group(g_entries, 7); }
void run_fill_scalar(void) { fill_group_scalar(g_entries, 7); }
void run_spread(void) { spread(g_table, 0x31); }

/* `key[j]` does not change in the inner loop: gcc loads it once per `j`
   (in the outer machine loop), though its line is in the inner IR loop. */
uint32_t mix_bits(const uint32_t *words, uint32_t n, const uint32_t *key)
{
    uint32_t acc = 0;
    for (uint32_t j = 0; j < n; j++) {
        for (uint32_t m = words[j]; m; m &= m - 1)
            acc ^= key[j] << (__builtin_ctz(m) & 31);
    }
    return acc;
}

uint32_t g_words[4] = { 0xffff, 0xf0f0, 0x1, 0x80000000 };
uint32_t g_key[4] = { 3, 5, 7, 11 };
uint32_t g_acc;
void run_mix(void) { g_acc = mix_bits(g_words, 4, g_key); }

/* A header-style helper made of inline asm, inlined into a loop: the
   asm's code is on the helper's line, charged where the helper is. */
static inline uint32_t swap32(uint32_t v)
{
    uint32_t x = v;
    __asm__ volatile("bswap %0" : "+r"(x));
    return x;
}

uint32_t swap_sum(const uint32_t *w, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += swap32(w[i]) ^ swap32(w[i] + 1);
    return s;
}

void run_swap(void) { g_acc = swap_sum(g_words, 4); }

/* A byte swap that is a constant expression for constants and the asm
   helper otherwise: for a variable the constant arm is dead code, which
   gcc never emits and which must not take the line's code from the arm
   that runs. */
#define SWAP32(x) (__builtin_constant_p(x) ? \
    ((((x) & 0xffu) << 24) | (((x) & 0xff00u) << 8) | (((x) >> 8) & 0xff00u) | ((x) >> 24)) : \
    swap32(x))

uint32_t swap_sum_macro(const uint32_t *w, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += SWAP32(w[i]) ^ (uint32_t)i;
    return s;
}

void run_swap_macro(void) { g_acc = swap_sum_macro(g_words, 4); }
