/*
 * countdown.c - count-down loops whose test decrements the counter:
 * do/while with a pre-decrement, do/while with a post-decrement, while
 * with a pre-decrement, on signed and unsigned counters.
 */

typedef unsigned int u32;
typedef unsigned char u8;

/* The body runs n times for n >= 1 (the loop goes back n - 1 times). */
u32 sum_do_pre(const u32 *p, u32 n)
{
    u32 s = 0;

    if (n == 0)
        return 0;
    do {
        s += *p++;
    } while (--n > 0);
    return s;
}

/* Signed counter: the guard makes n >= 1, so the body runs n times. */
int fill_do_signed(int *d, int n, int x)
{
    if (n <= 0)
        return 0;
    do {
        *d++ = x;
    } while (--n > 0);
    return 1;
}

/* Post-decrement in the test: the body runs n + 1 times. */
u32 xor_do_post(const u8 *p, u32 n)
{
    u32 h = 0;

    do {
        h ^= *p++;
    } while (n--);
    return h;
}

/* while (--n): n - 1 passes for n >= 1. */
u32 skip_first(const u32 *p, u32 n)
{
    u32 s = 0;

    if (n == 0)
        return 0;
    while (--n)
        s += p[n];
    return s;
}

/* A count-down by two with the test after the body. */
u32 pairs_do(const u32 *p, u32 n)
{
    u32 s = 0;

    if (n < 2 || n > 1000)
        return 0;
    n &= ~1u;
    do {
        s += p[0] ^ p[1];
        p += 2;
        n -= 2;
    } while (n != 0);
    return s;
}
