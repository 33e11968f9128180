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
