/*
 * search.c - binary searches written the ways C code writes them: a
 * half-open interval [lo, hi) narrowed at the midpoint, a closed interval
 * [lo, hi], a (base, num) pair whose count is halved by a shift, and a
 * width halved by division. Each loop runs at most log2(n) + 1 times.
 */

typedef unsigned long size_t;
typedef unsigned int u32;

/* Half-open interval, midpoint without overflow. */
int find_u32(const u32 *v, size_t n, u32 key)
{
    size_t lo = 0;
    size_t hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid] == key)
            return (int)mid;
        if (v[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Closed interval with signed bounds. */
int find_closed(const int *v, int n, int key)
{
    int lo = 0;
    int hi = n - 1;

    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;

        if (v[mid] < key)
            lo = mid + 1;
        else if (v[mid] > key)
            hi = mid - 1;
        else
            return mid;
    }
    return -1;
}

/* A base pointer and a count: the count is halved every step, as in the
 * classic library search with a comparison callback. */
typedef int (*order_fn)(const void *key, const void *elt);

const void *search_with(const void *key, const void *base, size_t num, size_t size, order_fn order)
{
    const char *p = (const char *)base;

    while (num > 0) {
        const char *pivot = p + (num >> 1) * size;
        int r = order(key, pivot);

        if (r == 0)
            return pivot;
        if (r > 0) {
            p = pivot + size;
            num--;
        }
        num >>= 1;
    }
    return 0;
}

/* Lower bound by halving a width with division: the first index whose
 * value is not below key. */
u32 lower_bound(const u32 *v, u32 n, u32 key)
{
    u32 first = 0;
    u32 width = n;

    while (width != 0) {
        u32 half = width / 2;

        if (v[first + half] < key) {
            first = first + half + 1;
            width = width - half - 1;
        } else {
            width = half;
        }
    }
    return first;
}

/* Not a halving loop: the interval shrinks by one each time, so no
 * logarithmic bound may be claimed. */
int scan_down(const u32 *v, u32 lo, u32 hi, u32 key)
{
    while (lo < hi) {
        if (v[hi - 1] == key)
            return (int)(hi - 1);
        hi = hi - 1;
    }
    return -1;
}
