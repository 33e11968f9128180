/*
 * kcompat.h - the handful of kernel primitives the conntrack module uses,
 * re-implemented for a hosted (userspace) gcc build with kernel spellings.
 */
#ifndef KCOMPAT_H
#define KCOMPAT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t   s8;
typedef int16_t  s16;
typedef int32_t  s32;
typedef int64_t  s64;
typedef u16      __be16;
typedef u32      __be32;
typedef u64      __be64;
typedef u16      __sum16;

#define __packed                __attribute__((__packed__))
#define __aligned(x)            __attribute__((__aligned__(x)))
#define L1_CACHE_SHIFT          6
#define L1_CACHE_BYTES          (1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES         L1_CACHE_BYTES
#define ____cacheline_aligned   __attribute__((__aligned__(SMP_CACHE_BYTES)))

#define likely(x)               __builtin_expect(!!(x), 1)
#define unlikely(x)             __builtin_expect(!!(x), 0)

#define READ_ONCE(x)            (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)                                              \
    do {                                                                \
        *(volatile __typeof__(x) *)&(x) = (val);                        \
    } while (0)

#define BIT(nr)                 (1UL << (nr))
#define ARRAY_SIZE(arr)         (sizeof(arr) / sizeof((arr)[0]))
#define min_t(type, a, b)       ((type)(a) < (type)(b) ? (type)(a) : (type)(b))

/* wrap-safe jiffies comparisons */
#define time_after(a, b)        ((s32)((u32)(b) - (u32)(a)) < 0)
#define time_before(a, b)       time_after(b, a)
#define time_after_eq(a, b)     ((s32)((u32)(a) - (u32)(b)) >= 0)

#define container_of(ptr, type, member) ({                              \
        void *__mptr = (void *)(ptr);                                   \
        ((type *)((char *)__mptr - offsetof(type, member))); })

#define LIST_POISON1            ((void *)0x100)
#define LIST_POISON2            ((void *)0x122)

#define GOLDEN_RATIO_32         0x61C88647u

struct list_head {
    struct list_head *next, *prev;
};

struct hlist_head {
    struct hlist_node *first;
};

struct hlist_node {
    struct hlist_node *next, **pprev;
};

/* ---- doubly linked circular list ---- */

static inline void INIT_LIST_HEAD(struct list_head *list)
{
    WRITE_ONCE(list->next, list);
    list->prev = list;
}

static inline void __list_add(struct list_head *entry, struct list_head *prev,
                              struct list_head *next)
{
    next->prev = entry;
    entry->next = next;
    entry->prev = prev;
    WRITE_ONCE(prev->next, entry);
}

static inline void list_add(struct list_head *entry, struct list_head *head)
{
    __list_add(entry, head, head->next);
}

static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
    __list_add(entry, head->prev, head);
}

static inline void __list_del(struct list_head *prev, struct list_head *next)
{
    next->prev = prev;
    WRITE_ONCE(prev->next, next);
}

static inline void list_del(struct list_head *entry)
{
    __list_del(entry->prev, entry->next);
    entry->next = LIST_POISON1;
    entry->prev = LIST_POISON2;
}

static inline void list_move_tail(struct list_head *entry, struct list_head *head)
{
    __list_del(entry->prev, entry->next);
    list_add_tail(entry, head);
}

static inline int list_empty(const struct list_head *head)
{
    return READ_ONCE(head->next) == head;
}

#define list_entry(ptr, type, member)        container_of(ptr, type, member)
#define list_first_entry(ptr, type, member)  list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member)                                    \
    list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))

#define list_for_each_entry(pos, head, member)                          \
    for (pos = list_first_entry(head, __typeof__(*pos), member);        \
         !list_entry_is_head(pos, head, member);                        \
         pos = list_next_entry(pos, member))

#define list_for_each_entry_safe(pos, n, head, member)                  \
    for (pos = list_first_entry(head, __typeof__(*pos), member),        \
         n = list_next_entry(pos, member);                              \
         !list_entry_is_head(pos, head, member);                        \
         pos = n, n = list_next_entry(n, member))

/* ---- singly linked hash-bucket list ---- */

static inline void INIT_HLIST_HEAD(struct hlist_head *h)
{
    h->first = NULL;
}

static inline void INIT_HLIST_NODE(struct hlist_node *n)
{
    n->next = NULL;
    n->pprev = NULL;
}

static inline int hlist_unhashed(const struct hlist_node *n)
{
    return !READ_ONCE(n->pprev);
}

static inline void __hlist_del(struct hlist_node *n)
{
    struct hlist_node *next = n->next;
    struct hlist_node **pprev = n->pprev;

    WRITE_ONCE(*pprev, next);
    if (next)
        WRITE_ONCE(next->pprev, pprev);
}

static inline void hlist_del(struct hlist_node *n)
{
    __hlist_del(n);
    n->next = LIST_POISON1;
    n->pprev = LIST_POISON2;
}

static inline void hlist_del_init(struct hlist_node *n)
{
    if (!hlist_unhashed(n)) {
        __hlist_del(n);
        INIT_HLIST_NODE(n);
    }
}

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
    struct hlist_node *first = h->first;

    WRITE_ONCE(n->next, first);
    if (first)
        WRITE_ONCE(first->pprev, &n->next);
    WRITE_ONCE(h->first, n);
    WRITE_ONCE(n->pprev, &h->first);
}

#define hlist_entry(ptr, type, member)  container_of(ptr, type, member)
#define hlist_entry_safe(ptr, type, member)                             \
    ({ __typeof__(ptr) ____ptr = (ptr);                                 \
       ____ptr ? hlist_entry(____ptr, type, member) : NULL; })

#define hlist_for_each_entry(pos, head, member)                         \
    for (pos = hlist_entry_safe((head)->first, __typeof__(*(pos)), member); \
         pos;                                                           \
         pos = hlist_entry_safe((pos)->member.next, __typeof__(*(pos)), member))

/* ---- misc ---- */

static inline u32 rol32(u32 word, unsigned int shift)
{
    return (word << (shift & 31)) | (word >> ((-shift) & 31));
}

static inline u32 hash_32(u32 val, unsigned int bits)
{
    return (val * GOLDEN_RATIO_32) >> (32 - bits);
}

static inline u16 swab16(u16 x)
{
    return (u16)((x >> 8) | (x << 8));
}

static inline u32 swab32(u32 x)
{
    return ((x & 0xffu) << 24) | ((x & 0xff00u) << 8) |
           ((x >> 8) & 0xff00u) | (x >> 24);
}

static inline u64 swab64(u64 x)
{
    return ((u64)swab32((u32)x) << 32) | swab32((u32)(x >> 32));
}

/* little-endian host */
static inline __be16 cpu_to_be16(u16 x) { return swab16(x); }
static inline __be32 cpu_to_be32(u32 x) { return swab32(x); }
static inline __be64 cpu_to_be64(u64 x) { return swab64(x); }
static inline u16 be16_to_cpu(__be16 x) { return swab16(x); }
static inline u32 be32_to_cpu(__be32 x) { return swab32(x); }

#endif /* KCOMPAT_H */
