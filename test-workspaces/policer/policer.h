/*
 * policer.h - per-source-address single-rate three-color marker
 * (srTCM, RFC 2697) built from two token buckets per flow.
 *
 * Rates are bytes per second, time is nanoseconds, and tokens are bytes.
 * Sub-byte credit is kept in `residue` (units: byte * ns) so that slow
 * rates with frequent packets are not rounded down to zero.
 */
#ifndef POLICER_H
#define POLICER_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define POL_MAX_FLOWS       256
#define POL_FLOW_MASK       (POL_MAX_FLOWS - 1)
#define POL_MAX_PROBE       8
#define POL_NUM_CLASSES     4
#define POL_NUM_DSCP        64
#define POL_NSEC_PER_SEC    1000000000ull
#define POL_DSCP_BE         0
#define POL_DSCP_AF11       10
#define POL_DSCP_AF41       34
#define POL_DSCP_EF         46
#define POL_DSCP_CS1        8

enum pol_color {
    POL_GREEN = 0,
    POL_YELLOW,
    POL_RED,
    POL_COLOR_MAX
};

enum pol_class {
    POL_CLASS_BEST_EFFORT = 0,
    POL_CLASS_BULK,
    POL_CLASS_VIDEO,
    POL_CLASS_VOICE
};

enum pol_mode {
    POL_MODE_COLOR_BLIND = 0,
    POL_MODE_COLOR_AWARE
};

enum pol_red_action {
    POL_RED_DROP = 0,
    POL_RED_REMARK
};

enum pol_verdict {
    POL_PASS = 0,
    POL_DROP
};

struct pol_ipv4_hdr {
    uint8_t  ihl : 4,
             version : 4;
    uint8_t  ecn : 2,
             dscp : 6;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag_off;
    uint8_t  ttl;
    uint8_t  protocol;
    uint16_t checksum;
    uint32_t src_addr;
    uint32_t dst_addr;
} __attribute__((packed));

struct pol_pkt {
    struct pol_ipv4_hdr ip;
    uint16_t len;            /* bytes charged to the meter */
    uint8_t  pre_color;      /* set by an upstream marker (color-aware mode) */
    uint8_t  in_port;
    uint8_t  color;          /* out */
    uint8_t  verdict;        /* out */
};

struct pol_profile {
    uint64_t cir;            /* committed information rate, bytes/s */
    uint32_t cbs;            /* committed burst size, bytes */
    uint32_t ebs;            /* excess burst size, bytes */
    uint8_t  mode;           /* enum pol_mode */
    uint8_t  red_action;     /* enum pol_red_action */
    uint8_t  remark[POL_COLOR_MAX];
};

struct pol_bucket {
    uint64_t tc;             /* committed tokens */
    uint64_t te;             /* excess tokens */
    uint64_t last_ns;
    uint64_t residue;
};

struct pol_flow {
    uint32_t addr;
    uint8_t  cls;
    uint8_t  in_use : 1,
             pinned : 1,
             reserved : 6;
    uint16_t probe_dist;
    struct pol_bucket bucket;
    uint64_t pkts[POL_COLOR_MAX];
    uint64_t bytes[POL_COLOR_MAX];
    uint64_t created_ns;
};

struct pol_state {
    struct pol_profile profiles[POL_NUM_CLASSES];
    uint8_t  dscp_to_class[POL_NUM_DSCP];
    uint32_t n_flows;
    uint32_t hash_seed;
    uint64_t color_totals[POL_COLOR_MAX];
    uint64_t table_full;
    struct pol_flow flows[POL_MAX_FLOWS];
};

void     pol_init(struct pol_state *st, uint32_t seed);
void     pol_set_profile(struct pol_state *st, uint8_t cls, uint64_t cir,
                         uint32_t cbs, uint32_t ebs, uint8_t mode);
uint32_t pol_flow_hash(uint32_t addr, uint32_t seed);
void     pol_refill(struct pol_bucket *b, const struct pol_profile *p,
                    uint64_t now);
struct pol_flow *pol_flow_get(struct pol_state *st, uint32_t addr, uint8_t cls,
                              uint64_t now);
int      pol_police(struct pol_state *st, struct pol_pkt *pkt, uint64_t now);
uint32_t pol_police_batch(struct pol_state *st, struct pol_pkt *pkts,
                          uint32_t n, uint64_t now);

#endif /* POLICER_H */
