/* Small functions for the machine-code tests (written for Perfi). */
struct counter {
    unsigned long hits;
    unsigned long misses;
};

unsigned sum_div(const unsigned *a, unsigned n, unsigned d)
{
    unsigned s = 0;
    for (unsigned i = 0; i < n; i++)
        s += a[i] / d;
    return s;
}

void bump(struct counter *c, int hit)
{
    if (hit)
        c->hits += 1;
    else
        c->misses += 1;
}

static inline unsigned mix(unsigned x)
{
    x ^= x >> 7;
    return x * 2654435761u;
}

unsigned hash2(unsigned a, unsigned b)
{
    return mix(a) ^ mix(b + 1);
}

int pick(int x)
{
    if (x > 10)
        return x * 3;
    return x - 1;
}

unsigned short load16(const void *p)
{
    unsigned short v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
