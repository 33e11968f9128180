/*
 * gnuc.c - GNU C and compiler builtins as kernel and NF code uses them,
 * written without macros.
 */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long size_t;

enum color { RED, GREEN = 4, BLUE };

struct pair {
    u32 lo;
    u32 hi;
};

struct hdr {
    u16 kind;
    u16 len;
    u32 seq;
    u64 stamp;
};

_Static_assert(sizeof(struct hdr) == 16, "hdr is 16 bytes");

/* Statement expressions and typeof, as min()/max() expand. */
u32 clamp_len(u32 len, u32 cap)
{
    u32 r = ({ typeof(len) _a = len; __typeof__(cap) _b = cap; _a < _b ? _a : _b; });
    return r;
}

/* A counter that lives across calls. */
u32 next_id(void)
{
    static u32 counter;

    counter++;
    return counter;
}

u32 builtins(u32 x, u64 y)
{
    u32 r = 0;

    if (__builtin_expect(x == 0, 0))
        return 0;
    r += __builtin_popcount(x);
    r += __builtin_ctz(x);
    r += __builtin_clz(x);
    r += (u32)__builtin_popcountll(y);
    r ^= __builtin_bswap32(x);
    r += __builtin_offsetof(struct hdr, seq);
    if (__builtin_constant_p(x))
        r++;
    __builtin_prefetch(&r);
    return r;
}

u32 with_barrier(u32 *p)
{
    u32 a = *p;

    asm volatile("" ::: "memory");
    return a + *p;
}

u64 read_tsc(void)
{
    u32 lo, hi;

    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}

u32 sum_pair(u32 a, u32 b)
{
    struct pair p = (struct pair){ .lo = a, .hi = b };

    return p.lo + p.hi;
}

u32 pair_hi(u32 a)
{
    return ((struct pair){ .lo = a, .hi = a + 1 }).hi;
}

/* A table initialized from constants: gcc copies it from read-only data. */
u32 weight(u32 i)
{
    u32 w[8] = { 3, 1, 4, 1, 5, 9, 2, 6 };

    return w[i & 7];
}

u32 fill_hdr(struct hdr *out, u32 seq)
{
    struct hdr h = { .kind = 2, .seq = seq };

    *out = h;
    return h.len;
}

u32 vla_sum(u32 n)
{
    u32 buf[n];
    u32 i, s = 0;

    for (i = 0; i < n; i++)
        buf[i] = i;
    for (i = 0; i < n; i++)
        s += buf[i];
    return s;
}

int color_cost(enum color c)
{
    switch (c) {
    case RED:
        return 1;
    case GREEN:
        return 2;
    case BLUE:
        return 3;
    }
    return 0;
}

int never(int x)
{
    if (x > 3)
        return x;
    __builtin_unreachable();
}

void *jump(void *p)
{
    goto *p;
}

__attribute__((noinline)) static u32 attributed(u32 x)
{
    u32 y __attribute__((unused)) = x;

    return y + 1;
}

u32 call_attributed(u32 x)
{
    return attributed(x) + __builtin_bswap16((u16)x) + (u32)__builtin_bswap64(x);
}

int cmp_bytes(const void *a, const void *b)
{
    u8 t[4];

    __builtin_memcpy(t, a, 4);
    __builtin_memset(t, 0, 2);
    __builtin_memmove(t, t + 1, 2);
    return __builtin_memcmp(t, b, 4);
}
