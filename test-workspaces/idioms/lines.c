/*
 * lines.c - cache lines of table lookups whose index is bounded by a
 * mask or a modulo, or comes from another function, and of two loops
 * over the same array.
 */

typedef unsigned int u32;
typedef unsigned char u8;

static const u32 mix_table[64] = {
    3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3,
    2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5,
    0, 2, 8, 8, 4, 1, 9, 7, 1, 6, 9, 3, 9, 9, 3, 7,
    5, 1, 0, 5, 8, 2, 0, 9, 7, 4, 9, 4, 4, 5, 9, 2,
};

/* A byte stream mixed through a 256-byte table: at most 4 lines of the
 * table, however long the stream. */
u32 mix_bytes(const u8 *p, u32 len)
{
    u32 h = 0;
    u32 i;

    for (i = 0; i < len; i++)
        h = (h >> 3) ^ mix_table[(h ^ p[i]) & 63];
    return h;
}

/* The same with a modulo. */
u32 mix_mod(const u8 *p, u32 len)
{
    u32 h = 7;
    u32 i;

    for (i = 0; i < len; i++)
        h = h * 31 + mix_table[(h + p[i]) % 64];
    return h;
}

/* A table passed in, indexed modulo its known length: 16 entries of 8
 * bytes, at most 2 lines. */
struct slot {
    u32 key;
    u32 hits;
};

void count_keys(struct slot *slots, const u32 *keys, u32 n)
{
    u32 i;

    for (i = 0; i < n; i++)
        slots[keys[i] % 16].hits++;
}

/* The index comes from a function the analysis does not know (a
 * callback given by the caller). */
u32 sum_picked(const u32 *keys, u32 n, u32 (*pick)(u32 x))
{
    u32 s = 0;
    u32 i;

    for (i = 0; i < n; i++)
        s += mix_table[pick(keys[i])];
    return s;
}

/* Two passes over the same n elements: the second pass touches the lines
 * the first one did. */
u32 two_passes(u32 *a, u32 n)
{
    u32 s = 0;
    u32 i;

    for (i = 0; i < n; i++)
        s += a[i];
    for (i = 0; i < n; i++)
        a[i] -= s;
    return s;
}
