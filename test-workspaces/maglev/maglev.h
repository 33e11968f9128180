/*
 * maglev.h - Maglev-style L4 load balancer: consistent-hash lookup table
 * built from per-backend permutations, plus a set-associative connection
 * table so established flows stick to their backend across rebuilds.
 */
#ifndef MAGLEV_H
#define MAGLEV_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define MG_TABLE_SIZE      251          /* M, must be prime */
#define MG_MAX_BACKENDS    16
#define MG_NAME_LEN        32
#define MG_CT_BUCKETS      128
#define MG_CT_BUCKET_MASK  (MG_CT_BUCKETS - 1)
#define MG_CT_WAYS         4
#define MG_CT_TIMEOUT      60000
#define MG_NO_BACKEND      (-1)
#define MG_PROTO_TCP       6
#define MG_PROTO_UDP       17
#define MG_PROTO_IPIP      4
#define MG_DEFAULT_TTL     64

enum mg_backend_flags {
    MG_BE_HEALTHY  = 1 << 0,
    MG_BE_DRAINING = 1 << 1,
    MG_BE_STATIC   = 1 << 2
};

enum mg_conn_flags {
    MG_CONN_VALID    = 1 << 0,
    MG_CONN_REPINNED = 1 << 1
};

struct mg_backend {
    char     name[MG_NAME_LEN];
    uint32_t addr;
    uint16_t port;
    uint16_t weight;
    uint32_t flags;
    uint32_t offset;                /* permutation start */
    uint32_t skip;                  /* permutation stride, 1..M-1 */
    uint32_t next;                  /* populate cursor */
    uint32_t assigned_slots;
    uint32_t active_conns;
    uint64_t packets;
    uint64_t bytes;
};

struct mg_five_tuple {
    uint32_t src_addr;
    uint32_t dst_addr;
    uint16_t src_port;
    uint16_t dst_port;
    uint8_t  proto;
    uint8_t  pad[3];
};

struct mg_conn {
    struct mg_five_tuple key;
    uint32_t hash;
    int16_t  backend;
    uint16_t flags;
    uint64_t last_seen;
};

struct mg_conn_bucket {
    struct mg_conn way[MG_CT_WAYS];
} __attribute__((aligned(64)));

struct mg_ipv4_hdr {
    uint8_t  version_ihl;
    uint8_t  tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag_off;
    uint8_t  ttl;
    uint8_t  protocol;
    uint16_t checksum;
    uint32_t src_addr;
    uint32_t dst_addr;
} __attribute__((packed));

struct mg_packet {
    struct mg_ipv4_hdr outer;       /* written when the packet is encapsulated */
    struct mg_ipv4_hdr inner;
    union {
        struct {
            uint16_t src_port;
            uint16_t dst_port;
        };
        uint32_t word;
    } l4;
    uint16_t len;
    uint8_t  encapsulated;
    uint8_t  tcp_flags;
};

struct mg_stats {
    uint64_t packets;
    uint64_t not_vip;
    uint64_t ct_hits;
    uint64_t ct_misses;
    uint64_t ct_evictions;
    uint64_t repins;
    uint64_t no_backend;
    uint64_t rebuilds;
};

struct mg_state {
    uint32_t vip;
    uint32_t local_addr;
    uint32_t n_backends;
    uint32_t generation;
    struct mg_backend backends[MG_MAX_BACKENDS];
    int16_t  lookup[MG_TABLE_SIZE];
    struct mg_stats stats;
    struct mg_conn_bucket ct[MG_CT_BUCKETS] __attribute__((aligned(64)));
};

static inline uint16_t mg_bswap16(uint16_t x)
{
    return (uint16_t)((x >> 8) | (x << 8));
}

void     maglev_init(struct mg_state *st, uint32_t vip, uint32_t local_addr);
int      maglev_add_backend(struct mg_state *st, const char *name,
                            uint32_t addr, uint16_t port);
uint32_t maglev_populate(struct mg_state *st);
uint32_t maglev_hash_tuple(const struct mg_five_tuple *t);
int      maglev_pick(const struct mg_state *st, uint32_t hash);
int      maglev_process(struct mg_state *st, struct mg_packet *pkt,
                        uint64_t now);

#endif /* MAGLEV_H */
