/*
 * policer.c - token refill, srTCM metering and the per-packet decision.
 */
#include <string.h>
#include "policer.h"

void pol_init(struct pol_state *st, uint32_t seed)
{
    uint32_t d;

    memset(st, 0, sizeof(*st));
    st->hash_seed = seed;
    for (d = 0; d < POL_NUM_DSCP; d++) {
        switch (d) {
        case POL_DSCP_EF:
            st->dscp_to_class[d] = POL_CLASS_VOICE;
            break;
        case POL_DSCP_AF41:
        case POL_DSCP_AF41 + 2:
        case POL_DSCP_AF41 + 4:
            st->dscp_to_class[d] = POL_CLASS_VIDEO;
            break;
        case POL_DSCP_CS1:
        case POL_DSCP_AF11:
            st->dscp_to_class[d] = POL_CLASS_BULK;
            break;
        default:
            st->dscp_to_class[d] = POL_CLASS_BEST_EFFORT;
            break;
        }
    }
}

void pol_set_profile(struct pol_state *st, uint8_t cls, uint64_t cir,
                     uint32_t cbs, uint32_t ebs, uint8_t mode)
{
    struct pol_profile *p;

    if (cls >= POL_NUM_CLASSES)
        return;
    p = &st->profiles[cls];
    p->cir = cir;
    p->cbs = cbs;
    p->ebs = ebs;
    p->mode = mode;
    p->red_action = POL_RED_DROP;
    p->remark[POL_GREEN] = POL_DSCP_AF41;
    p->remark[POL_YELLOW] = POL_DSCP_AF41 + 2;
    p->remark[POL_RED] = POL_DSCP_AF41 + 4;
}

void pol_refill(struct pol_bucket *b, const struct pol_profile *p, uint64_t now)
{
    uint64_t elapsed, max_elapsed, credit, add, room;

    if (now <= b->last_ns)
        return;
    elapsed = now - b->last_ns;
    b->last_ns = now;
    if (p->cir == 0)
        return;

    /* past this point both buckets are full anyway; also avoids overflow */
    max_elapsed = ((uint64_t)p->cbs + p->ebs) * POL_NSEC_PER_SEC / p->cir + 1;
    if (elapsed > max_elapsed) {
        elapsed = max_elapsed;
        b->residue = 0;
    }
    credit = elapsed * p->cir + b->residue;
    add = credit / POL_NSEC_PER_SEC;
    b->residue = credit % POL_NSEC_PER_SEC;

    /* committed bucket first, overflow spills into the excess bucket */
    room = b->tc < p->cbs ? p->cbs - b->tc : 0;
    if (add <= room) {
        b->tc += add;
        return;
    }
    b->tc = p->cbs;
    add -= room;
    b->te = (b->te + add > p->ebs) ? p->ebs : b->te + add;
}

static int pol_meter(struct pol_bucket *b, const struct pol_profile *p,
                     uint32_t len, uint8_t pre_color)
{
    uint8_t start = p->mode == POL_MODE_COLOR_AWARE ? pre_color : POL_GREEN;

    switch (start) {
    case POL_GREEN:
        if (b->tc >= len) {
            b->tc -= len;
            return POL_GREEN;
        }
        /* fall through */
    case POL_YELLOW:
        if (b->te >= len) {
            b->te -= len;
            return POL_YELLOW;
        }
        /* fall through */
    default:
        return POL_RED;
    }
}

uint32_t pol_flow_hash(uint32_t addr, uint32_t seed)
{
    uint32_t h = addr ^ seed;

    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h;
}

struct pol_flow *pol_flow_get(struct pol_state *st, uint32_t addr, uint8_t cls,
                              uint64_t now)
{
    uint32_t slot = pol_flow_hash(addr, st->hash_seed) & POL_FLOW_MASK;
    struct pol_flow *f;
    uint32_t i;

    /* @perf pcv q: slots probed */
    for (i = 0; i < POL_MAX_PROBE; i++) {
        f = &st->flows[(slot + i) & POL_FLOW_MASK];
        if (f->in_use && f->addr == addr)
            return f;
        if (!f->in_use)
            goto create;
    }
    st->table_full++;
    return NULL;

create:
    memset(f, 0, sizeof(*f));
    f->addr = addr;
    f->cls = cls;
    f->in_use = 1;
    f->probe_dist = (uint16_t)i;
    f->created_ns = now;
    f->bucket.tc = st->profiles[cls].cbs;
    f->bucket.te = st->profiles[cls].ebs;
    f->bucket.last_ns = now;
    st->n_flows++;
    return f;
}

static void pol_remark(struct pol_ipv4_hdr *ip, uint8_t dscp)
{
    uint16_t old_word, new_word;
    uint32_t sum;

    if (ip->dscp == dscp)
        return;
    old_word = (uint16_t)(((ip->version << 4 | ip->ihl) << 8) |
                          (ip->dscp << 2 | ip->ecn));
    ip->dscp = dscp & 0x3f;
    new_word = (uint16_t)((old_word & 0xff00u) | (ip->dscp << 2 | ip->ecn));

    /* RFC 1624: HC' = ~(~HC + ~m + m'), in network order */
    sum = (uint16_t)~(uint16_t)((ip->checksum >> 8) | (ip->checksum << 8));
    sum += (uint16_t)~old_word;
    sum += new_word;
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (uint16_t)~sum;
    ip->checksum = (uint16_t)((sum >> 8) | (sum << 8));
}

int pol_police(struct pol_state *st, struct pol_pkt *pkt, uint64_t now)
{
    const struct pol_profile *p;
    struct pol_flow *f;
    uint8_t cls;
    int color;

    if (pkt->ip.version != 4) {
        pkt->verdict = POL_PASS;        /* not policed */
        return POL_PASS;
    }
    cls = st->dscp_to_class[pkt->ip.dscp];
    p = &st->profiles[cls];
    f = pol_flow_get(st, pkt->ip.src_addr, cls, now);
    if (f == NULL) {
        /* no state available: fail closed for anything but voice */
        pkt->color = POL_RED;
        pkt->verdict = cls == POL_CLASS_VOICE ? POL_PASS : POL_DROP;
        return pkt->verdict;
    }

    pol_refill(&f->bucket, p, now);
    color = pol_meter(&f->bucket, p, pkt->len,
                      pkt->pre_color < POL_COLOR_MAX ? pkt->pre_color : POL_RED);
    f->pkts[color]++;
    f->bytes[color] += pkt->len;
    st->color_totals[color]++;
    pkt->color = (uint8_t)color;

    if (color == POL_RED && p->red_action == POL_RED_DROP) {
        pkt->verdict = POL_DROP;
        return POL_DROP;
    }
    if (p->mode == POL_MODE_COLOR_AWARE || color != POL_GREEN)
        pol_remark(&pkt->ip, p->remark[color]);
    pkt->verdict = POL_PASS;
    return POL_PASS;
}

uint32_t pol_police_batch(struct pol_state *st, struct pol_pkt *pkts,
                          uint32_t n, uint64_t now)
{
    uint32_t i, passed = 0;

    /* @perf pcv n: packets in the batch */
    for (i = 0; i < n; i++) {
        if (pol_police(st, &pkts[i], now) == POL_PASS)
            passed++;
    }
    return passed;
}
