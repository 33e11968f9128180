/*
 * bpf_impl.c - userspace stand-ins for the map helpers: array maps index
 * directly, hash maps use open addressing with linear probing.
 */
#include <string.h>
#include "bpf_compat.h"

static __u32 bpf_key_hash(const __u8 *key, __u32 len)
{
    __u32 h = 2166136261u;
    __u32 i;

    /* @perf pcv k: key bytes hashed */
    for (i = 0; i < len; i++) {
        h ^= key[i];
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

/* Returns the slot holding key or -1; *reuse gets the first free slot on
 * the probe path (-1 if the path is full). */
static long bpf_hash_find(const struct bpf_map *map, const void *key, long *reuse)
{
    __u32 start = bpf_key_hash(key, map->key_size) % map->max_entries;
    long first_free = -1;
    __u32 i;

    /* @perf pcv m: hash-map slots probed */
    for (i = 0; i < map->max_entries; i++) {
        __u32 slot = (start + i) % map->max_entries;
        __u8 state = map->slot_state[slot];

        if (state == BPF_SLOT_EMPTY) {
            if (first_free < 0)
                first_free = (long)slot;
            break;
        }
        if (state == BPF_SLOT_DELETED) {
            if (first_free < 0)
                first_free = (long)slot;
            continue;
        }
        if (memcmp(map->keys + (size_t)slot * map->key_size, key,
                   map->key_size) == 0)
            return (long)slot;
    }
    if (reuse)
        *reuse = first_free;
    return -1;
}

void *bpf_map_lookup_elem(void *map_ptr, const void *key)
{
    struct bpf_map *map = map_ptr;
    long slot;

    if (map->type == BPF_MAP_TYPE_ARRAY) {
        __u32 idx = *(const __u32 *)key;

        if (idx >= map->max_entries)
            return NULL;
        return map->values + (size_t)idx * map->value_size;
    }
    slot = bpf_hash_find(map, key, NULL);
    if (slot < 0)
        return NULL;
    return map->values + (size_t)slot * map->value_size;
}

long bpf_map_update_elem(void *map_ptr, const void *key, const void *value,
                         __u64 flags)
{
    struct bpf_map *map = map_ptr;
    long slot, free_slot = -1;

    if (flags > BPF_EXIST)
        return -BPF_EINVAL;
    if (map->type == BPF_MAP_TYPE_ARRAY) {
        __u32 idx = *(const __u32 *)key;

        if (idx >= map->max_entries)
            return -BPF_E2BIG;
        if (flags == BPF_NOEXIST)
            return -BPF_EEXIST;
        memcpy(map->values + (size_t)idx * map->value_size, value,
               map->value_size);
        return 0;
    }

    slot = bpf_hash_find(map, key, &free_slot);
    if (slot >= 0) {
        if (flags == BPF_NOEXIST)
            return -BPF_EEXIST;
        memcpy(map->values + (size_t)slot * map->value_size, value,
               map->value_size);
        return 0;
    }
    if (flags == BPF_EXIST)
        return -BPF_ENOENT;
    if (map->n_used >= map->max_entries || free_slot < 0)
        return -BPF_E2BIG;
    memcpy(map->keys + (size_t)free_slot * map->key_size, key, map->key_size);
    memcpy(map->values + (size_t)free_slot * map->value_size, value,
           map->value_size);
    map->slot_state[free_slot] = BPF_SLOT_USED;
    map->n_used++;
    return 0;
}

long bpf_map_delete_elem(void *map_ptr, const void *key)
{
    struct bpf_map *map = map_ptr;
    long slot;

    if (map->type == BPF_MAP_TYPE_ARRAY)
        return -BPF_EINVAL;
    slot = bpf_hash_find(map, key, NULL);
    if (slot < 0)
        return -BPF_ENOENT;
    map->slot_state[slot] = BPF_SLOT_DELETED;
    map->n_used--;
    return 0;
}
