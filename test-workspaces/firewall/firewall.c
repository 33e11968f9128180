/*
 * firewall.c - rule matching, connection tracking and the TCP state
 * machine.
 */
#include <string.h>
#include "firewall.h"

static const uint64_t fw_tcp_timeouts[FW_TCP_STATE_MAX] = {
    [FW_TCP_NONE]        = FW_TIMEOUT_CLOSE,
    [FW_TCP_SYN_SENT]    = FW_TIMEOUT_SYN,
    [FW_TCP_SYN_RECV]    = FW_TIMEOUT_SYN,
    [FW_TCP_ESTABLISHED] = FW_TIMEOUT_EST,
    [FW_TCP_FIN_WAIT]    = FW_TIMEOUT_FIN,
    [FW_TCP_CLOSE_WAIT]  = FW_TIMEOUT_FIN,
    [FW_TCP_LAST_ACK]    = FW_TIMEOUT_FIN,
    [FW_TCP_TIME_WAIT]   = FW_TIMEOUT_TW,
    [FW_TCP_CLOSED]      = FW_TIMEOUT_CLOSE,
};

static uint16_t fw_ntohs(uint16_t x)
{
    return (uint16_t)((x >> 8) | (x << 8));
}

static uint32_t fw_ntohl(uint32_t x)
{
    return ((x & 0xffu) << 24) | ((x & 0xff00u) << 8) |
           ((x >> 8) & 0xff00u) | (x >> 24);
}

void fw_init(struct fw_state *fw, uint8_t default_action)
{
    memset(fw, 0, sizeof(*fw));
    fw->default_action = default_action;
    fw->strict_tcp = 1;
}

int fw_add_rule(struct fw_state *fw, const struct fw_rule *rule)
{
    uint32_t pos;

    if (fw->n_rules >= FW_MAX_RULES)
        return -1;
    if (rule->sport.lo > rule->sport.hi || rule->dport.lo > rule->dport.hi)
        return -1;
    /* sorted by priority; equal priorities keep insertion order */
    pos = fw->n_rules;
    /* @perf pcv s: rules shifted to make room */
    while (pos > 0 && fw->rules[pos - 1].priority > rule->priority) {
        fw->rules[pos] = fw->rules[pos - 1];
        pos--;
    }
    fw->rules[pos] = *rule;
    fw->rules[pos].hits = 0;
    fw->rules[pos].bytes = 0;
    fw->n_rules++;
    return (int)pos;
}

static void fw_pkt_ports(const struct fw_pkt *pkt, uint16_t *sport,
                         uint16_t *dport)
{
    switch (pkt->ip.protocol) {
    case FW_PROTO_TCP:
        *sport = fw_ntohs(pkt->l4.tcp.src_port);
        *dport = fw_ntohs(pkt->l4.tcp.dst_port);
        break;
    case FW_PROTO_UDP:
        *sport = fw_ntohs(pkt->l4.udp.src_port);
        *dport = fw_ntohs(pkt->l4.udp.dst_port);
        break;
    case FW_PROTO_ICMP:
        /* the echo id stands in for both ports so request and reply pair up */
        *sport = fw_ntohs(pkt->l4.icmp.id);
        *dport = *sport;
        break;
    default:
        *sport = 0;
        *dport = 0;
        break;
    }
}

int fw_match_rules(struct fw_state *fw, const struct fw_pkt *pkt)
{
    uint32_t src = fw_ntohl(pkt->ip.src_addr);
    uint32_t dst = fw_ntohl(pkt->ip.dst_addr);
    uint8_t proto = pkt->ip.protocol;
    uint8_t flags = proto == FW_PROTO_TCP ? pkt->l4.tcp.flags : 0;
    bool has_ports = proto == FW_PROTO_TCP || proto == FW_PROTO_UDP;
    uint16_t sport, dport;
    uint32_t i;

    fw_pkt_ports(pkt, &sport, &dport);
    /* @perf pcv r: rules scanned until the first match */
    for (i = 0; i < fw->n_rules; i++) {
        const struct fw_rule *r = &fw->rules[i];

        fw->stats.rule_scans++;
        if (!r->enabled)
            continue;
        if (r->proto != FW_PROTO_ANY && r->proto != proto)
            continue;
        if (r->iface != FW_IFACE_ANY && r->iface != pkt->iface)
            continue;
        if ((src & r->src_mask) != (r->src_addr & r->src_mask) ||
            (dst & r->dst_mask) != (r->dst_addr & r->dst_mask))
            continue;
        if (has_ports && (sport < r->sport.lo || sport > r->sport.hi ||
                          dport < r->dport.lo || dport > r->dport.hi))
            continue;
        if (r->syn_only && (flags & (FW_TCP_SYN | FW_TCP_ACK)) != FW_TCP_SYN)
            continue;
        return (int)i;
    }
    return -1;
}

uint32_t fw_make_key(const struct fw_pkt *pkt, struct fw_conn_key *key,
                     bool *src_is_lo)
{
    uint32_t s = pkt->ip.src_addr, d = pkt->ip.dst_addr, h;
    uint16_t sp, dp;

    fw_pkt_ports(pkt, &sp, &dp);
    *src_is_lo = s < d || (s == d && sp <= dp);
    memset(key, 0, sizeof(*key));
    key->lo_addr = *src_is_lo ? s : d;
    key->hi_addr = *src_is_lo ? d : s;
    key->lo_port = *src_is_lo ? sp : dp;
    key->hi_port = *src_is_lo ? dp : sp;
    key->proto = pkt->ip.protocol;

    h = key->lo_addr * 0x9e3779b1u;
    h ^= key->hi_addr + 0x7f4a7c15u + (h << 6) + (h >> 2);
    h ^= ((uint32_t)key->lo_port << 16 | key->hi_port) + (h << 6) + (h >> 2);
    h ^= key->proto;
    h ^= h >> 16;
    return h & FW_CT_MASK;
}

static bool fw_key_equal(const struct fw_conn_key *a, const struct fw_conn_key *b)
{
    return a->lo_addr == b->lo_addr && a->hi_addr == b->hi_addr &&
           a->lo_port == b->lo_port && a->hi_port == b->hi_port &&
           a->proto == b->proto;
}

struct fw_conn *fw_ct_lookup(struct fw_state *fw, const struct fw_pkt *pkt,
                             int *dir)
{
    struct fw_conn_key key;
    bool src_is_lo;
    uint32_t b = fw_make_key(pkt, &key, &src_is_lo);
    uint32_t w;

    for (w = 0; w < FW_CT_WAYS; w++) {
        struct fw_conn *c = &fw->ct[b].way[w];

        if (c->in_use && fw_key_equal(&c->key, &key)) {
            *dir = (c->orig_is_lo == src_is_lo) ? FW_DIR_ORIG : FW_DIR_REPLY;
            return c;
        }
    }
    return NULL;
}

struct fw_conn *fw_ct_create(struct fw_state *fw, const struct fw_pkt *pkt,
                             uint16_t rule_id, uint64_t now)
{
    struct fw_conn_key key;
    struct fw_conn *victim = NULL;
    bool src_is_lo;
    uint32_t b = fw_make_key(pkt, &key, &src_is_lo);
    uint32_t w;

    for (w = 0; w < FW_CT_WAYS; w++) {
        struct fw_conn *c = &fw->ct[b].way[w];

        if (!c->in_use || c->expires <= now) {
            victim = c;
            break;
        }
        if (victim == NULL || c->last_seen < victim->last_seen)
            victim = c;
    }
    if (victim->in_use && victim->expires > now)
        fw->stats.ct_evicted++;
    memset(victim, 0, sizeof(*victim));
    victim->key = key;
    victim->in_use = 1;
    victim->orig_is_lo = src_is_lo;
    victim->rule_id = rule_id;
    victim->created = now;
    victim->last_seen = now;
    fw->stats.ct_created++;
    return victim;
}

static int fw_tcp_track(struct fw_conn *c, int dir, uint8_t flags, uint64_t now)
{
    if (flags & FW_TCP_RST) {
        c->state = FW_TCP_CLOSED;
        c->expires = now + fw_tcp_timeouts[FW_TCP_CLOSED];
        return FW_PASS;
    }
    switch (c->state) {
    case FW_TCP_SYN_SENT:
        if (dir == FW_DIR_REPLY &&
            (flags & (FW_TCP_SYN | FW_TCP_ACK)) == (FW_TCP_SYN | FW_TCP_ACK)) {
            c->state = FW_TCP_SYN_RECV;
            break;
        }
        if (dir == FW_DIR_ORIG && (flags & (FW_TCP_SYN | FW_TCP_ACK)) == FW_TCP_SYN)
            break;                      /* retransmitted SYN */
        return FW_DROP;
    case FW_TCP_SYN_RECV:
        if (flags & FW_TCP_SYN)
            break;                      /* retransmitted SYN or SYN-ACK */
        if (dir != FW_DIR_ORIG || !(flags & FW_TCP_ACK))
            return FW_DROP;
        c->state = FW_TCP_ESTABLISHED;
        /* fall through */
    case FW_TCP_ESTABLISHED:
        if (flags & FW_TCP_FIN) {
            c->state = FW_TCP_FIN_WAIT;
            c->fin_dir = dir;
        }
        break;
    case FW_TCP_FIN_WAIT:
        if (dir == c->fin_dir)
            break;
        if (flags & FW_TCP_FIN)
            c->state = FW_TCP_LAST_ACK;
        else if (flags & FW_TCP_ACK)
            c->state = FW_TCP_CLOSE_WAIT;
        break;
    case FW_TCP_CLOSE_WAIT:
        if (dir != c->fin_dir && (flags & FW_TCP_FIN))
            c->state = FW_TCP_LAST_ACK;
        break;
    case FW_TCP_LAST_ACK:
        if (dir == c->fin_dir && (flags & FW_TCP_ACK))
            c->state = FW_TCP_TIME_WAIT;
        break;
    case FW_TCP_TIME_WAIT:
    case FW_TCP_CLOSED:
        if (dir == FW_DIR_ORIG && (flags & (FW_TCP_SYN | FW_TCP_ACK)) == FW_TCP_SYN) {
            c->state = FW_TCP_SYN_SENT;   /* port reuse */
            break;
        }
        return FW_DROP;
    case FW_TCP_NONE:
    default:
        return FW_DROP;
    }
    c->expires = now + fw_tcp_timeouts[c->state];
    return FW_PASS;
}

int fw_process(struct fw_state *fw, struct fw_pkt *pkt, uint64_t now)
{
    struct fw_conn *c;
    bool is_tcp = pkt->ip.protocol == FW_PROTO_TCP;
    uint8_t flags = 0;
    uint8_t action;
    int dir = FW_DIR_ORIG;
    int rule, verdict;

    fw->stats.packets++;
    if (pkt->ip.version != 4 || pkt->ip.ihl < 5)
        goto invalid;
    if (is_tcp) {
        flags = pkt->l4.tcp.flags;
        /* SYN+FIN, SYN+RST and null scans never belong to a real connection */
        if ((flags & (FW_TCP_SYN | FW_TCP_FIN)) == (FW_TCP_SYN | FW_TCP_FIN) ||
            (flags & (FW_TCP_SYN | FW_TCP_RST)) == (FW_TCP_SYN | FW_TCP_RST) ||
            flags == 0)
            goto invalid;
    }

    c = fw_ct_lookup(fw, pkt, &dir);
    if (c != NULL && c->expires <= now) {
        c->in_use = 0;
        fw->stats.ct_expired++;
        c = NULL;
    }
    if (c != NULL) {
        fw->stats.ct_hits++;
        c->packets[dir]++;
        c->bytes[dir] += pkt->len;
        c->last_seen = now;
        if (dir == FW_DIR_REPLY)
            c->seen_reply = 1;
        if (is_tcp) {
            c->last_seq[dir] = pkt->l4.tcp.seq;
            verdict = fw_tcp_track(c, dir, flags, now);
        } else {
            c->expires = now + (pkt->ip.protocol == FW_PROTO_UDP ?
                                FW_TIMEOUT_UDP : FW_TIMEOUT_ICMP);
            verdict = FW_PASS;
        }
        if (verdict == FW_DROP)
            fw->stats.dropped++;
        return verdict;
    }

    rule = fw_match_rules(fw, pkt);
    if (rule >= 0) {
        fw->rules[rule].hits++;
        fw->rules[rule].bytes += pkt->len;
        action = fw->rules[rule].action;
    } else {
        fw->stats.default_hits++;
        action = fw->default_action;
    }

    switch (action) {
    case FW_ACT_ALLOW:
        if (rule < 0 || !fw->rules[rule].stateful)
            return FW_PASS;
        if (is_tcp && fw->strict_tcp &&
            (flags & (FW_TCP_SYN | FW_TCP_ACK)) != FW_TCP_SYN)
            goto invalid;               /* mid-stream packet without state */
        c = fw_ct_create(fw, pkt, (uint16_t)rule, now);
        c->packets[FW_DIR_ORIG] = 1;
        c->bytes[FW_DIR_ORIG] = pkt->len;
        if (is_tcp) {
            c->state = FW_TCP_SYN_SENT;
            c->last_seq[FW_DIR_ORIG] = pkt->l4.tcp.seq;
            c->expires = now + fw_tcp_timeouts[FW_TCP_SYN_SENT];
        } else {
            c->expires = now + (pkt->ip.protocol == FW_PROTO_UDP ?
                                FW_TIMEOUT_UDP : FW_TIMEOUT_ICMP);
        }
        return FW_PASS;
    case FW_ACT_REJECT:
        fw->stats.rejected++;
        if (is_tcp && !(flags & FW_TCP_RST))
            return FW_SEND_RST;
        goto drop;
    case FW_ACT_DENY:
    default:
        goto drop;
    }

invalid:
    fw->stats.invalid++;
drop:
    fw->stats.dropped++;
    return FW_DROP;
}

uint32_t fw_gc(struct fw_state *fw, uint64_t now)
{
    uint32_t b, w, expired = 0;

    for (b = 0; b < FW_CT_BUCKETS; b++) {
        for (w = 0; w < FW_CT_WAYS; w++) {
            struct fw_conn *c = &fw->ct[b].way[w];

            if (c->in_use && c->expires <= now) {
                c->in_use = 0;
                expired++;
            }
        }
    }
    fw->stats.ct_expired += expired;
    return expired;
}
