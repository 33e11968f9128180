/*
 * loops.c - loop shapes as real code writes them: a narrow counter
 * declared before the loop, count-down loops, pointers advanced by a
 * constant stride.
 */

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

u32 sum4(const u32 *v)
{
    u8 i;
    u32 s = 0;

    for (i = 0; i < 4; ++i)
        s += v[i];
    return s;
}

u32 drain(u32 n, const u32 *p)
{
    u32 s = 0;

    while (n--)
        s += *p++;
    return s;
}

u32 drain_do(u32 n, const u8 *p)
{
    u32 s = 0;

    if (n == 0)
        return 0;
    do {
        s += *p++;
    } while (--n > 0);
    return s;
}

void copy_words(u64 *d, const u64 *src, u32 n)
{
    u32 i;

    for (i = 0; i < n; i++)
        *d++ = *src++;
}

u32 stride8(const u8 *p, u32 n)
{
    u32 s = 0;
    u32 i;

    for (i = 0; i < n; i++) {
        s += *p;
        p += 8;
    }
    return s;
}
