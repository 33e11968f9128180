/*
 * callbacks.c - calls through function pointers: a comparison callback
 * given by the caller, an operations table with a constant initializer,
 * a local pointer chosen at run time, and a pointer passed in from
 * outside the analyzed code.
 */

typedef unsigned long size_t;
typedef int (*cmp_fn)(const void *key, const void *elt);

/* Binary search over num sorted elements of size bytes each. */
void *find_sorted(const void *key, const void *base, size_t num, size_t size, cmp_fn cmp)
{
    size_t lo = 0;
    size_t hi = num;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *elt = (const char *)base + mid * size;
        int c = cmp(key, elt);

        if (c == 0)
            return (void *)elt;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

static int cmp_u32(const void *key, const void *elt)
{
    unsigned a = *(const unsigned *)key;
    unsigned b = *(const unsigned *)elt;

    if (a < b)
        return -1;
    return a > b;
}

/* The comparison is known here: find_sorted's call of cmp is cmp_u32. */
int port_allowed(const unsigned *ports, size_t n, unsigned port)
{
    return find_sorted(&port, ports, n, sizeof(unsigned), cmp_u32) != 0;
}

/* Insertion sort with a caller-supplied order. */
void order_ints(int *v, size_t n, int (*before)(int a, int b))
{
    size_t i;

    for (i = 1; i < n; i++) {
        int x = v[i];
        size_t j = i;

        while (j > 0 && before(x, v[j - 1])) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static int descending(int a, int b)
{
    return a > b;
}

void order_desc8(int *v)
{
    order_ints(v, 8, descending);
}

struct bucket_table {
    unsigned keys[16];
    unsigned used;
};

struct table_ops {
    int (*find)(const struct bucket_table *t, unsigned key);
    void (*clear)(struct bucket_table *t);
};

static int scan_find(const struct bucket_table *t, unsigned key)
{
    unsigned i;

    for (i = 0; i < 16; i++)
        if (t->keys[i] == key)
            return (int)i;
    return -1;
}

static int slot_find(const struct bucket_table *t, unsigned key)
{
    return t->keys[key & 15] == key ? (int)(key & 15) : -1;
}

static void table_clear(struct bucket_table *t)
{
    t->used = 0;
}

static const struct table_ops scan_ops = {
    .find = scan_find,
    .clear = table_clear,
};

/* Through a constant table: the callee is scan_find. */
int table_lookup(const struct bucket_table *t, unsigned key)
{
    return scan_ops.find(t, key);
}

/* Through a table passed in: the callee is not known here. */
int table_lookup_with(const struct table_ops *ops, const struct bucket_table *t, unsigned key)
{
    int r = ops->find(t, key);

    if (r < 0)
        ops->clear((struct bucket_table *)t);
    return r;
}

/* A local pointer assigned one of two functions. */
int table_lookup_mode(const struct bucket_table *t, unsigned key, int fast)
{
    int (*f)(const struct bucket_table *, unsigned) = scan_find;

    if (fast)
        f = &slot_find;
    return (*f)(t, key);
}

/* Every element through a callback that is not known here. */
unsigned sum_mapped(const unsigned *v, unsigned n, unsigned (*map)(unsigned))
{
    unsigned s = 0;
    unsigned i;

    for (i = 0; i < n; i++)
        s += map(v[i]);
    return s;
}
