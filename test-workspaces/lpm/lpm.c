/*
 * lpm.c - DIR-24-8 route insertion, lookup and IPv4 forwarding.
 */
#include <string.h>
#include "lpm.h"

void lpm_init(struct lpm_table *lpm)
{
    memset(lpm, 0, sizeof(*lpm));
}

static uint32_t lpm_depth_mask(uint8_t depth)
{
    return depth == 0 ? 0u : 0xffffffffu << (32 - depth);
}

static uint16_t lpm_make_entry(uint16_t nh, uint8_t depth, bool ext)
{
    union lpm_entry e;

    e.raw = 0;
    e.next_hop = nh & LPM_ENTRY_NH_MASK;
    e.depth = depth;
    e.ext = ext;
    e.valid = 1;
    return e.raw;
}

/* Records the rule; returns its slot or a negative error. */
static int32_t lpm_rule_add(struct lpm_table *lpm, uint32_t prefix,
                            uint8_t depth, uint16_t next_hop)
{
    int32_t free_slot = -1;
    uint32_t i;

    /* @perf pcv r: rules scanned */
    for (i = 0; i < lpm->n_rules; i++) {
        struct lpm_rule *r = &lpm->rules[i];

        if (!r->in_use) {
            if (free_slot < 0)
                free_slot = (int32_t)i;
            continue;
        }
        if (r->prefix == prefix && r->depth == depth) {
            r->next_hop = next_hop;
            return (int32_t)i;
        }
    }
    if (free_slot < 0) {
        if (lpm->n_rules >= LPM_MAX_RULES)
            return LPM_ERR_NOSPC;
        free_slot = (int32_t)lpm->n_rules++;
    }
    lpm->rules[free_slot].prefix = prefix;
    lpm->rules[free_slot].depth = depth;
    lpm->rules[free_slot].next_hop = next_hop;
    lpm->rules[free_slot].in_use = 1;
    return free_slot;
}

static int32_t lpm_tbl8_alloc(struct lpm_table *lpm)
{
    int32_t g;

    for (g = 0; g < LPM_TBL8_NUM_GROUPS; g++) {
        if (!lpm->tbl8_in_use[g]) {
            lpm->tbl8_in_use[g] = 1;
            lpm->tbl8_used++;
            return g;
        }
    }
    return LPM_ERR_NOSPC;
}

static int lpm_add_small(struct lpm_table *lpm, uint32_t ip, uint8_t depth,
                         uint16_t next_hop)
{
    uint32_t start = ip >> (32 - LPM_TBL24_BITS);
    uint32_t count = 1u << (LPM_TBL24_BITS - depth);
    uint16_t value = lpm_make_entry(next_hop, depth, false);
    uint32_t i, j;

    /* @perf pcv s: tbl24 entries covered by the prefix */
    for (i = start; i < start + count; i++) {
        union lpm_entry *e = &lpm->tbl24[i];

        if (!e->valid || (!e->ext && e->depth <= depth)) {
            e->raw = value;
        } else if (e->ext) {
            struct lpm_tbl8_group *g = &lpm->tbl8[e->next_hop];

            /* push the shorter prefix under the more specific ones */
            for (j = 0; j < LPM_TBL8_GROUP_SIZE; j++) {
                if (!g->entry[j].valid || g->entry[j].depth <= depth)
                    g->entry[j].raw = value;
            }
        }
    }
    return LPM_OK;
}

static int lpm_add_large(struct lpm_table *lpm, uint32_t ip, uint8_t depth,
                         uint16_t next_hop)
{
    uint32_t idx24 = ip >> (32 - LPM_TBL24_BITS);
    uint32_t idx8 = (ip >> (32 - LPM_MAX_DEPTH)) & LPM_TBL8_MASK;
    uint32_t count = 1u << (LPM_MAX_DEPTH - depth);
    uint16_t value = lpm_make_entry(next_hop, depth, false);
    union lpm_entry *e = &lpm->tbl24[idx24];
    struct lpm_tbl8_group *g;
    int32_t gid;
    uint32_t i;

    if (e->valid && e->ext) {
        g = &lpm->tbl8[e->next_hop];
    } else {
        uint16_t inherit = e->valid ? e->raw : 0;

        gid = lpm_tbl8_alloc(lpm);
        if (gid < 0)
            return LPM_ERR_NOSPC;
        g = &lpm->tbl8[gid];
        for (i = 0; i < LPM_TBL8_GROUP_SIZE; i++)
            g->entry[i].raw = inherit;
        e->raw = lpm_make_entry((uint16_t)gid, 0, true);
    }

    /* @perf pcv l: tbl8 entries covered by the prefix */
    for (i = idx8; i < idx8 + count; i++) {
        if (!g->entry[i].valid || g->entry[i].depth <= depth)
            g->entry[i].raw = value;
    }
    return LPM_OK;
}

int lpm_add(struct lpm_table *lpm, uint32_t ip, uint8_t depth,
            uint16_t next_hop)
{
    uint32_t prefix;
    int32_t slot;
    int rc = LPM_ERR_INVAL;

    if (depth == 0 || depth > LPM_MAX_DEPTH)
        goto err;
    if (next_hop >= LPM_MAX_NEXT_HOPS)
        goto err;

    prefix = ip & lpm_depth_mask(depth);
    slot = lpm_rule_add(lpm, prefix, depth, next_hop);
    if (slot < 0) {
        rc = slot;
        goto err;
    }
    if (depth <= LPM_TBL24_BITS)
        rc = lpm_add_small(lpm, prefix, depth, next_hop);
    else
        rc = lpm_add_large(lpm, prefix, depth, next_hop);
    if (rc != LPM_OK)
        goto err_rule;
    return LPM_OK;

err_rule:
    lpm->rules[slot].in_use = 0;
err:
    lpm->stats.add_errors++;
    return rc;
}

int lpm_lookup(struct lpm_table *lpm, uint32_t ip, uint16_t *next_hop)
{
    uint16_t e = lpm->tbl24[ip >> (32 - LPM_TBL24_BITS)].raw;

    lpm->stats.lookups++;
    if ((e & LPM_ENTRY_EXT_VALID) == LPM_ENTRY_EXT_VALID) {
        uint32_t gid = e & LPM_ENTRY_NH_MASK;

        e = lpm->tbl8[gid].entry[(ip >> (32 - LPM_MAX_DEPTH)) & LPM_TBL8_MASK].raw;
        lpm->stats.tbl8_lookups++;
    }
    if (!(e & LPM_ENTRY_VALID)) {
        lpm->stats.misses++;
        return LPM_ERR_NOENT;
    }
    *next_hop = (uint16_t)(e & LPM_ENTRY_NH_MASK);
    return LPM_OK;
}

uint32_t lpm_lookup_bulk(struct lpm_table *lpm, const uint32_t *ips,
                         uint16_t *next_hops, uint32_t n)
{
    uint32_t i, hits = 0;

    /* @perf pcv n: addresses in the burst */
    for (i = 0; i < n; i++) {
        if (lpm_lookup(lpm, ips[i], &next_hops[i]) == LPM_OK)
            hits++;
        else
            next_hops[i] = LPM_INVALID_NH;
    }
    return hits;
}

int lpm_forward(struct lpm_table *lpm, struct lpm_packet *pkt)
{
    struct lpm_next_hop *hop;
    uint16_t nh;
    uint32_t dst, sum;

    if (pkt->eth.ether_type != lpm_bswap16(LPM_ETHERTYPE_IPV4)) {
        lpm->stats.non_ip++;
        return LPM_PORT_DROP;
    }
    if (pkt->ip.version != 4 || pkt->ip.ihl < 5) {
        lpm->stats.bad_header++;
        return LPM_PORT_DROP;
    }
    if (pkt->ip.ttl <= 1) {
        lpm->stats.ttl_exceeded++;
        return LPM_PORT_CPU;
    }
    dst = lpm_bswap32(pkt->ip.dst_addr);
    /* loopback and multicast are handled by the slow path */
    if ((dst >> 24) == 127 || (dst & 0xf0000000u) == 0xe0000000u) {
        lpm->stats.to_cpu++;
        return LPM_PORT_CPU;
    }
    if (lpm_lookup(lpm, dst, &nh) != LPM_OK)
        return LPM_PORT_DROP;

    hop = &lpm->next_hops[nh];
    if (hop->flags & LPM_NH_F_BLACKHOLE)
        return LPM_PORT_DROP;
    if (hop->flags & LPM_NH_F_LOCAL) {
        lpm->stats.to_cpu++;
        return LPM_PORT_CPU;
    }
    if (hop->mtu != 0 && lpm_bswap16(pkt->ip.total_len) > hop->mtu) {
        lpm->stats.too_big++;
        return (pkt->ip.frag_off & lpm_bswap16(LPM_IP_DF)) ? LPM_PORT_CPU
                                                            : LPM_PORT_DROP;
    }

    /* RFC 1624 incremental update for the TTL decrement */
    pkt->ip.ttl--;
    sum = (uint32_t)lpm_bswap16(pkt->ip.checksum) + 0x0100u;
    sum = (sum & 0xffffu) + (sum >> 16);
    pkt->ip.checksum = lpm_bswap16((uint16_t)sum);

    memcpy(pkt->eth.dst, hop->dst_mac, LPM_ETH_ALEN);
    memcpy(pkt->eth.src, hop->src_mac, LPM_ETH_ALEN);
    hop->tx_packets++;
    hop->tx_bytes += pkt->frame_len;
    lpm->stats.forwarded++;
    return hop->out_port;
}
