/*
 * bpf_compat.h - just enough of the eBPF/XDP environment to build the
 * program as ordinary C: kernel integer types, the xdp_md context, map
 * descriptors and the three map helpers (implemented in bpf_impl.c).
 */
#ifndef BPF_COMPAT_H
#define BPF_COMPAT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

typedef uint8_t  __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t  __s32;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint16_t __sum16;

#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)

#define BPF_ANY        0
#define BPF_NOEXIST    1
#define BPF_EXIST      2

#define BPF_ENOENT     2
#define BPF_E2BIG      7
#define BPF_EEXIST     17
#define BPF_EINVAL     22

enum xdp_action {
    XDP_ABORTED = 0,
    XDP_DROP,
    XDP_PASS,
    XDP_TX,
    XDP_REDIRECT,
    XDP_ACTION_MAX
};

enum bpf_map_type {
    BPF_MAP_TYPE_UNSPEC = 0,
    BPF_MAP_TYPE_HASH   = 1,
    BPF_MAP_TYPE_ARRAY  = 2
};

enum bpf_slot_state {
    BPF_SLOT_EMPTY = 0,
    BPF_SLOT_USED,
    BPF_SLOT_DELETED
};

/* In the kernel data/data_end are __u32 that get cast to pointers; here
 * they are real pointers into the frame buffer. */
struct xdp_md {
    void  *data;
    void  *data_end;
    void  *data_meta;
    __u32 ingress_ifindex;
    __u32 rx_queue_index;
    __u32 egress_ifindex;
};

/* Map descriptor; storage is provided by the program's static arrays. */
struct bpf_map {
    __u32 type;
    __u32 key_size;
    __u32 value_size;
    __u32 max_entries;
    __u32 n_used;
    __u32 map_flags;
    __u8  *keys;
    __u8  *values;
    __u8  *slot_state;
};

void *bpf_map_lookup_elem(void *map, const void *key);
long  bpf_map_update_elem(void *map, const void *key, const void *value,
                          __u64 flags);
long  bpf_map_delete_elem(void *map, const void *key);

/* little-endian host */
static inline __u16 bpf_htons(__u16 x)
{
    return (__u16)((x >> 8) | (x << 8));
}

static inline __u16 bpf_ntohs(__u16 x)
{
    return (__u16)((x >> 8) | (x << 8));
}

static inline __u32 bpf_htonl(__u32 x)
{
    return ((x & 0xffu) << 24) | ((x & 0xff00u) << 8) |
           ((x >> 8) & 0xff00u) | (x >> 24);
}

#endif /* BPF_COMPAT_H */
