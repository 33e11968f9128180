/*
 * linux_sort_driver.c - scenarios for the kernel's lib/sort.c,
 * lib/bsearch.c and lib/list_sort.c (Linux 6.1, used in place): all three
 * call a comparison function through a pointer. Our own code.
 */
#include <string.h>
#include <linux/types.h>
#include <linux/sort.h>
#include <linux/bsearch.h>
#include <linux/list_sort.h>

struct item {
    struct list_head node;
    int key;
};

static int g_keys[256];
static struct item g_items[64];
static struct list_head g_head;
void *g_found; /* not static: the result of a pure function must stay live */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_item(void *priv, const struct list_head *a, const struct list_head *b)
{
    (void)priv;
    return ((const struct item *)a)->key > ((const struct item *)b)->key;
}

static void fill_keys(unsigned n, int sorted)
{
    unsigned x = 4242;
    for (unsigned i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        g_keys[i] = sorted ? (int)(3 * i) : (int)((x >> 16) & 0x7fff);
    }
}

static void build_list(unsigned n)
{
    unsigned x = 99;
    struct list_head *prev = &g_head;
    for (unsigned i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        g_items[i].key = (int)((x >> 16) & 0x3ff);
        prev->next = &g_items[i].node;
        g_items[i].node.prev = prev;
        prev = &g_items[i].node;
    }
    prev->next = &g_head;
    g_head.prev = prev;
}

void scenario_sort_16(void) { fill_keys(16, 0); sort(g_keys, 16, sizeof(int), cmp_int, NULL); }
void scenario_sort_sorted_64(void) { fill_keys(64, 1); sort(g_keys, 64, sizeof(int), cmp_int, NULL); }
static int g_key;

void scenario_bsearch_hit(void) { g_key = 3 * 77; fill_keys(256, 1); g_found = bsearch(&g_key, g_keys, 256, sizeof(int), cmp_int); }
void scenario_bsearch_miss(void) { g_key = 3 * 77 + 1; fill_keys(256, 1); g_found = bsearch(&g_key, g_keys, 256, sizeof(int), cmp_int); }
void scenario_list_sort_32(void) { build_list(32); list_sort(NULL, &g_head, cmp_item); }

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;
    if (all || !strcmp(s, "scenario_sort_16")) { scenario_sort_16(); ran++; }
    if (all || !strcmp(s, "scenario_sort_sorted_64")) { scenario_sort_sorted_64(); ran++; }
    if (all || !strcmp(s, "scenario_bsearch_hit")) { scenario_bsearch_hit(); ran++; }
    if (all || !strcmp(s, "scenario_bsearch_miss")) { scenario_bsearch_miss(); ran++; }
    if (all || !strcmp(s, "scenario_list_sort_32")) { scenario_list_sort_32(); ran++; }
    return ran > 0 ? 0 : 2;
}
