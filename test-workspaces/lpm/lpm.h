/*
 * lpm.h - DIR-24-8 style longest-prefix-match IPv4 router.
 *
 * The first level is indexed by the top LPM_TBL24_BITS bits of the address,
 * the second level (tbl8 groups) by the next LPM_TBL8_BITS bits.  Production
 * builds use 24; the driver-friendly build keeps the first level at 16 bits,
 * so prefixes are supported up to /LPM_MAX_DEPTH.
 */
#ifndef LPM_H
#define LPM_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define LPM_TBL24_BITS        16
#define LPM_TBL8_BITS         8
#define LPM_MAX_DEPTH         (LPM_TBL24_BITS + LPM_TBL8_BITS)
#define LPM_TBL24_SIZE        (1u << LPM_TBL24_BITS)
#define LPM_TBL8_GROUP_SIZE   (1u << LPM_TBL8_BITS)
#define LPM_TBL8_MASK         (LPM_TBL8_GROUP_SIZE - 1)
#define LPM_TBL8_NUM_GROUPS   64
#define LPM_MAX_RULES         512
#define LPM_MAX_NEXT_HOPS     64

/* raw layout of an entry, mirrors union lpm_entry below */
#define LPM_ENTRY_NH_MASK     0x01ffu
#define LPM_ENTRY_DEPTH_SHIFT 9
#define LPM_ENTRY_EXT         0x4000u
#define LPM_ENTRY_VALID       0x8000u
#define LPM_ENTRY_EXT_VALID   (LPM_ENTRY_VALID | LPM_ENTRY_EXT)
#define LPM_INVALID_NH        0xffffu

#define LPM_ETH_ALEN          6
#define LPM_ETHERTYPE_IPV4    0x0800
#define LPM_IP_DF             0x4000
#define LPM_NH_F_LOCAL        0x1u
#define LPM_NH_F_BLACKHOLE    0x2u

enum lpm_error {
    LPM_OK         = 0,
    LPM_ERR_INVAL  = -1,
    LPM_ERR_NOSPC  = -2,
    LPM_ERR_NOENT  = -3
};

enum lpm_port {
    LPM_PORT_DROP = -1,
    LPM_PORT_CPU  = -2
};

union lpm_entry {
    uint16_t raw;
    struct {
        uint16_t next_hop : 9;   /* next hop id, or tbl8 group if ext */
        uint16_t depth    : 5;
        uint16_t ext      : 1;
        uint16_t valid    : 1;
    };
};

struct lpm_tbl8_group {
    union lpm_entry entry[LPM_TBL8_GROUP_SIZE];
};

struct lpm_rule {
    uint32_t prefix;
    uint16_t next_hop;
    uint8_t  depth;
    uint8_t  in_use;
};

struct lpm_next_hop {
    uint32_t gateway;
    uint16_t out_port;
    uint8_t  dst_mac[LPM_ETH_ALEN];
    uint8_t  src_mac[LPM_ETH_ALEN];
    uint16_t mtu;
    uint32_t flags;
    uint64_t tx_packets;
    uint64_t tx_bytes;
};

struct lpm_stats {
    uint64_t lookups;
    uint64_t tbl8_lookups;
    uint64_t misses;
    uint64_t forwarded;
    uint64_t non_ip;
    uint64_t bad_header;
    uint64_t ttl_exceeded;
    uint64_t too_big;
    uint64_t to_cpu;
    uint64_t add_errors;
};

struct lpm_table {
    union lpm_entry       tbl24[LPM_TBL24_SIZE];
    struct lpm_tbl8_group tbl8[LPM_TBL8_NUM_GROUPS];
    uint8_t               tbl8_in_use[LPM_TBL8_NUM_GROUPS];
    uint32_t              tbl8_used;
    uint32_t              n_rules;
    struct lpm_rule       rules[LPM_MAX_RULES];
    struct lpm_next_hop   next_hops[LPM_MAX_NEXT_HOPS];
    struct lpm_stats      stats;
};

struct lpm_eth_hdr {
    uint8_t  dst[LPM_ETH_ALEN];
    uint8_t  src[LPM_ETH_ALEN];
    uint16_t ether_type;
} __attribute__((packed));

struct lpm_ipv4_hdr {
    union {
        uint8_t version_ihl;
        struct {
            uint8_t ihl : 4;
            uint8_t version : 4;
        };
    };
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

struct lpm_packet {
    struct lpm_eth_hdr  eth;
    struct lpm_ipv4_hdr ip;
    uint16_t in_port;
    uint16_t frame_len;
};

static inline uint16_t lpm_bswap16(uint16_t x)
{
    return (uint16_t)((x >> 8) | (x << 8));
}

static inline uint32_t lpm_bswap32(uint32_t x)
{
    return ((x & 0xffu) << 24) | ((x & 0xff00u) << 8) |
           ((x >> 8) & 0xff00u) | (x >> 24);
}

void lpm_init(struct lpm_table *lpm);
int  lpm_add(struct lpm_table *lpm, uint32_t ip, uint8_t depth,
             uint16_t next_hop);
int  lpm_lookup(struct lpm_table *lpm, uint32_t ip, uint16_t *next_hop);
uint32_t lpm_lookup_bulk(struct lpm_table *lpm, const uint32_t *ips,
                         uint16_t *next_hops, uint32_t n);
int  lpm_forward(struct lpm_table *lpm, struct lpm_packet *pkt);

#endif /* LPM_H */
