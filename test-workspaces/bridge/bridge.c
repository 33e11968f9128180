/*
 * bridge.c - forwarding database and the per-frame bridging decision.
 */
#include <string.h>
#include "bridge.h"

static const uint8_t br_link_local_prefix[BR_ETH_ALEN - 1] = {
    0x01, 0x80, 0xc2, 0x00, 0x00
};

void bridge_init(struct br_state *br, const uint8_t *mac, uint16_t n_ports)
{
    uint16_t i;

    memset(br, 0, sizeof(*br));
    memcpy(br->bridge_mac.addr, mac, BR_ETH_ALEN);
    br->n_ports = n_ports > BR_MAX_PORTS ? BR_MAX_PORTS : n_ports;
    br->ageing_time = BR_DEFAULT_AGEING;
    for (i = 0; i < br->n_ports; i++) {
        struct br_port *p = &br->ports[i];

        p->id = i;
        p->state = BR_STATE_FORWARDING;
        p->learning = 1;
        p->flood = 1;
        p->pvid = 1;
        p->max_learned = BR_FDB_SIZE;
        p->mac = br->bridge_mac;
        p->mac.addr[BR_ETH_ALEN - 1] ^= (uint8_t)(i + 1);
    }
}

static bool br_mac_is_multicast(const union br_mac *m)
{
    return (m->addr[0] & 0x01) != 0;
}

static bool br_mac_is_zero(const union br_mac *m)
{
    return m->w.hi == 0 && m->w.lo == 0;
}

static bool br_mac_equal(const union br_mac *a, const union br_mac *b)
{
    return a->w.hi == b->w.hi && a->w.lo == b->w.lo;
}

static bool br_mac_is_link_local(const union br_mac *m)
{
    return memcmp(m->addr, br_link_local_prefix, sizeof(br_link_local_prefix)) == 0 &&
           (m->addr[BR_ETH_ALEN - 1] & 0xf0) == 0;
}

uint32_t br_fdb_hash(const union br_mac *mac, uint16_t vlan)
{
    uint32_t h = mac->w.hi ^ ((uint32_t)mac->w.lo << 16) ^ mac->w.lo ^ vlan;

    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    h *= 0x297a2d39u;
    h ^= h >> 15;
    return h & BR_FDB_MASK;
}

int32_t br_fdb_find(const struct br_state *br, const union br_mac *mac,
                    uint16_t vlan)
{
    uint32_t slot = br_fdb_hash(mac, vlan);
    uint32_t i;

    /* @perf pcv f: fdb slots probed */
    for (i = 0; i < BR_FDB_MAX_PROBE; i++) {
        uint32_t pos = (slot + i) & BR_FDB_MASK;
        const struct br_fdb_entry *e = &br->fdb[pos];

        if (e->state == BR_SLOT_EMPTY)
            return -1;
        if (e->state == BR_SLOT_USED && e->vlan == vlan &&
            br_mac_equal(&e->mac, mac))
            return (int32_t)pos;
    }
    return -1;
}

int br_learn(struct br_state *br, const union br_mac *mac, uint16_t vlan,
             uint16_t port, uint64_t now)
{
    struct br_fdb_entry *e;
    uint64_t oldest = UINT64_MAX;
    int32_t idx, free_slot = -1, victim = -1;
    uint32_t slot, i;
    int result = BR_LEARN_NEW;

    idx = br_fdb_find(br, mac, vlan);
    if (idx >= 0) {
        e = &br->fdb[idx];
        if (e->is_static || e->is_local)
            return BR_LEARN_REFRESH;
        if (e->port != port) {
            br->ports[e->port].learned_count--;
            br->ports[port].learned_count++;
            e->port = port;
            e->moved = 1;
            e->moves++;
            br->stats.moved++;
            result = BR_LEARN_MOVED;
        } else {
            br->stats.refreshed++;
            result = BR_LEARN_REFRESH;
        }
        e->updated = now;
        return result;
    }
    if (br->ports[port].learned_count >= br->ports[port].max_learned)
        return BR_LEARN_FAILED;

    slot = br_fdb_hash(mac, vlan);
    /* @perf pcv w: probe-window slots scanned for a free slot or a victim */
    for (i = 0; i < BR_FDB_MAX_PROBE; i++) {
        uint32_t pos = (slot + i) & BR_FDB_MASK;

        e = &br->fdb[pos];
        if (e->state != BR_SLOT_USED) {
            free_slot = (int32_t)pos;
            break;
        }
        if (!e->is_static && !e->is_local && e->updated < oldest) {
            oldest = e->updated;
            victim = (int32_t)pos;
        }
    }
    if (free_slot < 0) {
        if (victim < 0)
            return BR_LEARN_FAILED;
        e = &br->fdb[victim];
        br->ports[e->port].learned_count--;
        br->fdb_count--;
        br->stats.evicted++;
        free_slot = victim;
        result = BR_LEARN_EVICTED;
    }

    e = &br->fdb[free_slot];
    memset(e, 0, sizeof(*e));
    e->mac = *mac;
    e->vlan = vlan;
    e->port = port;
    e->state = BR_SLOT_USED;
    e->updated = now;
    e->used = now;
    br->ports[port].learned_count++;
    br->ports[port].stats.learned++;
    br->fdb_count++;
    br->stats.learned++;
    return result;
}

uint32_t br_fdb_age(struct br_state *br, uint64_t now)
{
    uint32_t i, aged = 0;

    for (i = 0; i < BR_FDB_SIZE; i++) {
        struct br_fdb_entry *e = &br->fdb[i];

        if (e->state != BR_SLOT_USED || e->is_static || e->is_local)
            continue;
        if (e->updated + br->ageing_time > now)
            continue;
        e->state = BR_SLOT_DELETED;
        br->ports[e->port].learned_count--;
        br->fdb_count--;
        aged++;
    }
    /* tombstones directly in front of an empty slot are not needed */
    for (i = BR_FDB_SIZE; i-- > 0;) {
        if (br->fdb[i].state == BR_SLOT_DELETED &&
            br->fdb[(i + 1) & BR_FDB_MASK].state == BR_SLOT_EMPTY)
            br->fdb[i].state = BR_SLOT_EMPTY;
    }
    br->stats.aged += aged;
    return aged;
}

uint32_t br_flood(struct br_state *br, uint16_t in_port,
                  struct br_fwd_result *res)
{
    uint16_t p;

    res->n_out = 0;
    /* @perf pcv p: bridge ports */
    for (p = 0; p < br->n_ports; p++) {
        struct br_port *port = &br->ports[p];

        if (p == in_port && !port->hairpin)
            continue;
        if (port->state != BR_STATE_FORWARDING || !port->flood)
            continue;
        res->out_ports[res->n_out++] = p;
        port->stats.tx_frames++;
        port->stats.flooded++;
    }
    res->verdict = res->n_out ? BR_FLOOD : BR_DROP;
    br->stats.flooded++;
    return res->n_out;
}

static uint16_t br_frame_vlan(const struct br_frame *fr, const struct br_port *in)
{
    const struct br_vlan_tag *tag;
    uint16_t vid;

    if (fr->eth.ethertype != br_bswap16(BR_ETH_P_8021Q))
        return in->pvid;
    if (fr->len < sizeof(struct br_eth_hdr) + sizeof(struct br_vlan_tag))
        return in->pvid;
    tag = (const struct br_vlan_tag *)fr->data;
    vid = br_bswap16(tag->tci) & BR_VLAN_VID_MASK;
    return vid ? vid : in->pvid;     /* priority-tagged frames use the PVID */
}

int bridge_receive(struct br_state *br, struct br_frame *fr, uint64_t now,
                   struct br_fwd_result *res)
{
    struct br_port *in;
    uint16_t vlan;
    int32_t idx;

    res->verdict = BR_DROP;
    res->n_out = 0;
    if (fr->in_port >= br->n_ports || (fr->flags & BR_FRAME_F_FCS_BAD)) {
        br->stats.dropped++;
        return BR_DROP;
    }
    in = &br->ports[fr->in_port];
    in->stats.rx_frames++;
    in->stats.rx_bytes += fr->len;

    switch (in->state) {
    case BR_STATE_LEARNING:
    case BR_STATE_FORWARDING:
        break;
    case BR_STATE_LISTENING:
        /* only BPDUs are processed while listening */
        if (br_mac_is_link_local(&fr->eth.dst))
            goto to_host;
        /* fall through */
    case BR_STATE_DISABLED:
    case BR_STATE_BLOCKING:
    default:
        in->stats.rx_dropped++;
        br->stats.dropped++;
        return BR_DROP;
    }

    if (br_mac_is_multicast(&fr->eth.src) || br_mac_is_zero(&fr->eth.src)) {
        in->stats.rx_dropped++;
        br->stats.dropped++;
        return BR_DROP;
    }
    vlan = br_frame_vlan(fr, in);
    if (in->learning)
        br_learn(br, &fr->eth.src, vlan, fr->in_port, now);
    if (in->state == BR_STATE_LEARNING)
        return BR_DROP;

    if (br_mac_is_link_local(&fr->eth.dst) ||
        br_mac_equal(&fr->eth.dst, &br->bridge_mac))
        goto to_host;

    if (!br_mac_is_multicast(&fr->eth.dst)) {
        idx = br_fdb_find(br, &fr->eth.dst, vlan);
        if (idx >= 0) {
            struct br_fdb_entry *e = &br->fdb[idx];
            struct br_port *out = &br->ports[e->port];

            e->used = now;
            e->hits++;
            if (e->port == fr->in_port && !in->hairpin) {
                br->stats.filtered++;
                return BR_DROP;
            }
            if (out->state != BR_STATE_FORWARDING) {
                br->stats.dropped++;
                return BR_DROP;
            }
            res->out_ports[0] = e->port;
            res->n_out = 1;
            res->verdict = BR_UNICAST;
            out->stats.tx_frames++;
            out->stats.tx_bytes += fr->len;
            br->stats.unicast++;
            return BR_UNICAST;
        }
    }
    br_flood(br, fr->in_port, res);
    return (int)res->verdict;

to_host:
    res->verdict = BR_TO_HOST;
    br->stats.to_host++;
    return BR_TO_HOST;
}
