/*
 * nat.c - flow table, expiry and the per-packet NAT path.
 */
#include <string.h>
#include "nat.h"

void nat_init(struct nat_state *st, const struct nat_config *cfg)
{
    uint32_t i;

    memset(st, 0, sizeof(*st));
    st->cfg = *cfg;
    if (st->cfg.flow_timeout == 0)
        st->cfg.flow_timeout = NAT_DEFAULT_TIMEOUT;
    if (st->cfg.port_base == 0)
        st->cfg.port_base = NAT_PORT_BASE;
    for (i = 0; i < NAT_BUCKET_COUNT; i++) {
        st->int_buckets[i] = NAT_NIL;
        st->ext_buckets[i] = NAT_NIL;
    }
    /* highest index on the bottom so that index 0 is handed out first */
    for (i = 0; i < NAT_FLOW_CAPACITY; i++)
        st->free_stack[i] = (int32_t)(NAT_FLOW_CAPACITY - 1 - i);
    st->free_top = NAT_FLOW_CAPACITY;
    st->lru_head = NAT_NIL;
    st->lru_tail = NAT_NIL;
}

uint32_t nat_flow_hash(const struct nat_flow_key *key)
{
    const uint8_t *p = (const uint8_t *)key;
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < sizeof(*key); i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h ^ (h >> 16);
}

static bool nat_key_equal(const struct nat_flow_key *a,
                          const struct nat_flow_key *b)
{
    return a->src_addr == b->src_addr && a->dst_addr == b->dst_addr &&
           a->src_port == b->src_port && a->dst_port == b->dst_port &&
           a->protocol == b->protocol && a->device == b->device;
}

int32_t nat_lookup_int(struct nat_state *st, const struct nat_flow_key *key)
{
    uint32_t h = nat_flow_hash(key);
    int32_t idx = st->int_buckets[h & NAT_BUCKET_MASK];

    st->stats.lookups++;
    /* @perf pcv c: flows traversed in the internal-key bucket chain */
    while (idx != NAT_NIL) {
        const struct nat_flow_entry *f = &st->flows[idx];

        st->stats.chain_steps++;
        if (f->int_hash == h && nat_key_equal(&f->int_key, key))
            return idx;
        idx = f->int_next;
    }
    return NAT_NIL;
}

int32_t nat_lookup_ext(struct nat_state *st, const struct nat_flow_key *key)
{
    uint32_t h = nat_flow_hash(key);
    int32_t idx = st->ext_buckets[h & NAT_BUCKET_MASK];
    uint32_t steps;

    st->stats.lookups++;
    /* @perf pcv x: flows traversed in the external-key bucket chain */
    for (steps = 0; idx != NAT_NIL && steps < NAT_FLOW_CAPACITY; steps++) {
        const struct nat_flow_entry *f = &st->flows[idx];

        if (f->ext_hash == h && nat_key_equal(&f->ext_key, key))
            break;
        idx = f->ext_next;
    }
    st->stats.chain_steps += steps;
    return steps < NAT_FLOW_CAPACITY ? idx : NAT_NIL;
}

static void nat_lru_unlink(struct nat_state *st, int32_t idx)
{
    struct nat_flow_entry *f = &st->flows[idx];

    if (f->lru_prev != NAT_NIL)
        st->flows[f->lru_prev].lru_next = f->lru_next;
    else
        st->lru_head = f->lru_next;
    if (f->lru_next != NAT_NIL)
        st->flows[f->lru_next].lru_prev = f->lru_prev;
    else
        st->lru_tail = f->lru_prev;
    f->lru_next = NAT_NIL;
    f->lru_prev = NAT_NIL;
}

static void nat_lru_append(struct nat_state *st, int32_t idx)
{
    struct nat_flow_entry *f = &st->flows[idx];

    f->lru_next = NAT_NIL;
    f->lru_prev = st->lru_tail;
    if (st->lru_tail != NAT_NIL)
        st->flows[st->lru_tail].lru_next = idx;
    else
        st->lru_head = idx;
    st->lru_tail = idx;
}

int32_t nat_insert(struct nat_state *st, const struct nat_flow_key *int_key,
                   uint64_t now)
{
    struct nat_flow_entry *f;
    int32_t idx;
    uint32_t b;

    if (st->free_top == 0 ||
        (st->cfg.max_flows != 0 && st->flow_count >= st->cfg.max_flows))
        return NAT_NIL;
    idx = st->free_stack[--st->free_top];
    f = &st->flows[idx];
    memset(f, 0, sizeof(*f));

    f->int_key = *int_key;
    f->ext_addr = st->cfg.ext_addr;
    f->ext_port = (uint16_t)(st->cfg.port_base + idx);
    f->orig_src_addr = int_key->src_addr;
    f->orig_src_port = int_key->src_port;
    f->protocol = int_key->protocol;
    f->is_tcp = int_key->protocol == NAT_PROTO_TCP;

    /* the reply as it arrives on the WAN side */
    f->ext_key.src_addr = int_key->dst_addr;
    f->ext_key.dst_addr = st->cfg.ext_addr;
    f->ext_key.src_port = int_key->dst_port;
    f->ext_key.dst_port = nat_htons(f->ext_port);
    f->ext_key.protocol = int_key->protocol;
    f->ext_key.device = NAT_WAN_DEVICE;

    f->int_hash = nat_flow_hash(&f->int_key);
    f->ext_hash = nat_flow_hash(&f->ext_key);

    b = f->int_hash & NAT_BUCKET_MASK;
    f->int_prev = NAT_NIL;
    f->int_next = st->int_buckets[b];
    if (f->int_next != NAT_NIL)
        st->flows[f->int_next].int_prev = idx;
    st->int_buckets[b] = idx;

    b = f->ext_hash & NAT_BUCKET_MASK;
    f->ext_prev = NAT_NIL;
    f->ext_next = st->ext_buckets[b];
    if (f->ext_next != NAT_NIL)
        st->flows[f->ext_next].ext_prev = idx;
    st->ext_buckets[b] = idx;

    f->created = now;
    f->last_seen = now;
    f->in_use = 1;
    nat_lru_append(st, idx);
    st->flow_count++;
    st->stats.flows_created++;
    return idx;
}

void nat_remove(struct nat_state *st, int32_t idx)
{
    struct nat_flow_entry *f = &st->flows[idx];

    if (!f->in_use)
        return;
    if (f->int_prev != NAT_NIL)
        st->flows[f->int_prev].int_next = f->int_next;
    else
        st->int_buckets[f->int_hash & NAT_BUCKET_MASK] = f->int_next;
    if (f->int_next != NAT_NIL)
        st->flows[f->int_next].int_prev = f->int_prev;

    if (f->ext_prev != NAT_NIL)
        st->flows[f->ext_prev].ext_next = f->ext_next;
    else
        st->ext_buckets[f->ext_hash & NAT_BUCKET_MASK] = f->ext_next;
    if (f->ext_next != NAT_NIL)
        st->flows[f->ext_next].ext_prev = f->ext_prev;

    nat_lru_unlink(st, idx);
    f->in_use = 0;
    st->free_stack[st->free_top++] = idx;
    st->flow_count--;
}

uint32_t nat_expire_flows(struct nat_state *st, uint64_t now)
{
    uint32_t expired = 0;

    /* @perf pcv e: expired flows */
    while (st->lru_head != NAT_NIL) {
        int32_t idx = st->lru_head;

        if (st->flows[idx].last_seen + st->cfg.flow_timeout > now)
            break;
        nat_remove(st, idx);
        expired++;
    }
    st->stats.flows_expired += expired;
    return expired;
}

void nat_extract_key(const struct nat_packet *pkt, struct nat_flow_key *key)
{
    memset(key, 0, sizeof(*key));
    key->src_addr = pkt->ip.src_addr;
    key->dst_addr = pkt->ip.dst_addr;
    key->src_port = pkt->l4.ports.src_port;
    key->dst_port = pkt->l4.ports.dst_port;
    key->protocol = pkt->ip.protocol;
    key->device = (uint8_t)pkt->device;
}

static uint16_t nat_csum_fold(uint32_t sum)
{
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)sum;
}

/* RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m') */
static uint16_t nat_csum_update16(uint16_t csum, uint16_t from, uint16_t to)
{
    uint32_t sum = (uint16_t)~csum;

    sum += (uint16_t)~from;
    sum += to;
    return (uint16_t)~nat_csum_fold(sum);
}

static uint16_t nat_csum_update32(uint16_t csum, uint32_t from, uint32_t to)
{
    csum = nat_csum_update16(csum, (uint16_t)(from >> 16), (uint16_t)(to >> 16));
    return nat_csum_update16(csum, (uint16_t)from, (uint16_t)to);
}

static uint16_t nat_ipv4_checksum(struct nat_ipv4_hdr *ip)
{
    const uint8_t *p = (const uint8_t *)ip;
    uint32_t sum = 0;
    unsigned int i;

    ip->checksum = 0;
    for (i = 0; i < sizeof(*ip); i += 2)
        sum += (uint32_t)(p[i] | (p[i + 1] << 8));
    return (uint16_t)~nat_csum_fold(sum);
}

/* Rewrites an address/port pair and patches the L4 checksum. */
static void nat_rewrite_l4(struct nat_packet *pkt, uint32_t old_addr,
                           uint32_t new_addr, uint16_t old_port,
                           uint16_t new_port)
{
    uint16_t csum;

    if (pkt->ip.protocol == NAT_PROTO_TCP) {
        csum = nat_csum_update32(pkt->l4.tcp.checksum, old_addr, new_addr);
        pkt->l4.tcp.checksum = nat_csum_update16(csum, old_port, new_port);
    } else {
        csum = pkt->l4.udp.checksum;
        pkt->l4.udp.checksum = csum == 0 ? 0 :
            nat_csum_update16(nat_csum_update32(csum, old_addr, new_addr),
                              old_port, new_port);
    }
}

int nat_process(struct nat_state *st, struct nat_packet *pkt, uint64_t now)
{
    struct nat_flow_key key;
    struct nat_flow_entry *f;
    int32_t idx;
    int egress;
    uint8_t flags;

    st->stats.rx_packets++;
    if (pkt->eth.ether_type != nat_htons(NAT_ETHERTYPE_IPV4)) {
        st->stats.drops[NAT_DROP_NON_IP]++;
        return NAT_DROP;
    }
    if (pkt->ip.version != 4 || pkt->ip.ihl < 5 || pkt->ip.ttl <= 1) {
        st->stats.drops[NAT_DROP_BAD_IP]++;
        return NAT_DROP;
    }
    if (pkt->ip.protocol != NAT_PROTO_TCP && pkt->ip.protocol != NAT_PROTO_UDP) {
        st->stats.drops[NAT_DROP_BAD_PROTO]++;
        return NAT_DROP;
    }

    nat_expire_flows(st, now);
    nat_extract_key(pkt, &key);

    if (pkt->device == NAT_LAN_DEVICE) {
        idx = nat_lookup_int(st, &key);
        if (idx == NAT_NIL) {
            idx = nat_insert(st, &key, now);
            if (idx == NAT_NIL) {
                st->stats.drops[NAT_DROP_TABLE_FULL]++;
                return NAT_DROP;
            }
            memcpy(st->flows[idx].lan_mac, pkt->eth.src, NAT_ETH_ALEN);
        }
        f = &st->flows[idx];
        nat_rewrite_l4(pkt, pkt->ip.src_addr, f->ext_addr,
                       pkt->l4.ports.src_port, nat_htons(f->ext_port));
        pkt->ip.src_addr = f->ext_addr;
        pkt->l4.ports.src_port = nat_htons(f->ext_port);
        memcpy(pkt->eth.src, st->cfg.wan_mac, NAT_ETH_ALEN);
        memcpy(pkt->eth.dst, st->cfg.gw_mac, NAT_ETH_ALEN);
        f->out.packets++;
        f->out.bytes += pkt->frame_len;
        egress = NAT_FORWARD_WAN;
    } else {
        idx = nat_lookup_ext(st, &key);
        if (idx == NAT_NIL) {
            st->stats.drops[NAT_DROP_NO_FLOW]++;
            return NAT_DROP;
        }
        f = &st->flows[idx];
        nat_rewrite_l4(pkt, pkt->ip.dst_addr, f->orig_src_addr,
                       pkt->l4.ports.dst_port, f->orig_src_port);
        pkt->ip.dst_addr = f->orig_src_addr;
        pkt->l4.ports.dst_port = f->orig_src_port;
        memcpy(pkt->eth.src, st->cfg.lan_mac, NAT_ETH_ALEN);
        memcpy(pkt->eth.dst, f->lan_mac, NAT_ETH_ALEN);
        f->in.packets++;
        f->in.bytes += pkt->frame_len;
        f->seen_reply = 1;
        egress = NAT_FORWARD_LAN;
    }

    /* refresh: move to the young end of the expiry list */
    f->last_seen = now;
    f->refreshes++;
    nat_lru_unlink(st, idx);
    nat_lru_append(st, idx);

    if (f->is_tcp) {
        flags = pkt->l4.tcp.flags;
        f->tcp_flags_seen |= flags;
        f->seen_syn |= (flags & NAT_TCP_SYN) != 0;
        f->seen_fin |= (flags & NAT_TCP_FIN) != 0;
        if (flags & NAT_TCP_RST) {
            nat_remove(st, idx);
            st->stats.flows_reset++;
        }
    }

    pkt->ip.ttl--;
    pkt->ip.checksum = nat_ipv4_checksum(&pkt->ip);
    st->stats.tx_packets++;
    return egress;
}
