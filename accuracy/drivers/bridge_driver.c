/*
 * bridge_driver.c - ground-truth scenarios for test-workspaces/bridge.
 */
#include <string.h>
#include "../../test-workspaces/bridge/bridge.h"

#define FRAME_BUF_SIZE 128

static struct br_state g_br;
static struct br_fwd_result g_res;
static union br_mac g_mac;
static union {
    struct br_frame fr;
    uint8_t raw[FRAME_BUF_SIZE];
} g_frame;
static const uint8_t g_bridge_mac[BR_ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static void mac_of(union br_mac *m, uint32_t id)
{
    m->addr[0] = 0x02;
    m->addr[1] = 0x00;
    m->addr[2] = (uint8_t)(id >> 24);
    m->addr[3] = (uint8_t)(id >> 16);
    m->addr[4] = (uint8_t)(id >> 8);
    m->addr[5] = (uint8_t)id;
}

static void setup_bridge(uint16_t n_ports)
{
    bridge_init(&g_br, g_bridge_mac, n_ports);
    memset(&g_res, 0, sizeof(g_res));
}

/* untagged frame from host src_id to host dst_id */
static void build_frame(uint16_t in_port, uint32_t src_id, uint32_t dst_id)
{
    memset(&g_frame, 0, sizeof(g_frame));
    g_frame.fr.in_port = in_port;
    g_frame.fr.len = 64;
    mac_of(&g_frame.fr.eth.src, src_id);
    mac_of(&g_frame.fr.eth.dst, dst_id);
    g_frame.fr.eth.ethertype = br_bswap16(0x0800);
}

static void tag_frame(uint16_t vid)
{
    g_frame.fr.eth.ethertype = br_bswap16(BR_ETH_P_8021Q);
    g_frame.fr.data[0] = (uint8_t)(vid >> 8);
    g_frame.fr.data[1] = (uint8_t)vid;
    g_frame.fr.data[2] = 0x08;
    g_frame.fr.data[3] = 0x00;
    g_frame.fr.len = 68;
}

/* writes a used fdb slot directly (for scenarios measuring br_learn) */
static void raw_fdb(uint32_t pos, uint32_t id, uint16_t vlan, uint16_t port,
                    uint64_t updated)
{
    struct br_fdb_entry *e = &g_br.fdb[pos & BR_FDB_MASK];

    memset(e, 0, sizeof(*e));
    mac_of(&e->mac, id);
    e->vlan = vlan;
    e->port = port;
    e->state = BR_SLOT_USED;
    e->updated = updated;
    e->used = updated;
    g_br.ports[port].learned_count++;
    g_br.fdb_count++;
}

void scenario_unicast_hit(void)
{
    union br_mac dst;

    setup_bridge(8);
    mac_of(&dst, 0x300);
    br_learn(&g_br, &dst, 1, 3, 100);
    build_frame(1, 0x100, 0x300);
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_unknown_unicast_flood16(void)
{
    setup_bridge(BR_MAX_PORTS);
    build_frame(1, 0x100, 0x999);
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_broadcast_flood4(void)
{
    setup_bridge(4);
    build_frame(0, 0x100, 0);
    memset(g_frame.fr.eth.dst.addr, 0xff, BR_ETH_ALEN);
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_blocked_port(void)
{
    setup_bridge(8);
    g_br.ports[2].state = BR_STATE_BLOCKING;
    build_frame(2, 0x100, 0x300);
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_listening_bpdu(void)
{
    setup_bridge(8);
    g_br.ports[2].state = BR_STATE_LISTENING;
    build_frame(2, 0x100, 0);
    g_frame.fr.eth.dst.addr[0] = 0x01;
    g_frame.fr.eth.dst.addr[1] = 0x80;
    g_frame.fr.eth.dst.addr[2] = 0xc2;
    g_frame.fr.eth.dst.addr[3] = 0x00;
    g_frame.fr.eth.dst.addr[4] = 0x00;
    g_frame.fr.eth.dst.addr[5] = 0x00;
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_learning_state(void)
{
    setup_bridge(8);
    g_br.ports[2].state = BR_STATE_LEARNING;
    build_frame(2, 0x100, 0x300);
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_filtered_same_port(void)
{
    union br_mac dst;

    setup_bridge(8);
    mac_of(&dst, 0x300);
    br_learn(&g_br, &dst, 1, 4, 100);
    build_frame(4, 0x100, 0x300);
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_station_move_vlan(void)
{
    union br_mac m;

    setup_bridge(8);
    mac_of(&m, 0x100);
    br_learn(&g_br, &m, 100, 2, 50);
    mac_of(&m, 0x300);
    br_learn(&g_br, &m, 100, 6, 60);
    build_frame(5, 0x100, 0x300);
    tag_frame(100);
    bridge_receive(&g_br, &g_frame.fr, 200, &g_res);
}

void scenario_learn_new(void)
{
    setup_bridge(8);
    raw_fdb(7, 0x700, 1, 1, 10);
    raw_fdb(8, 0x800, 1, 1, 10);
    mac_of(&g_mac, 0x100);
    br_learn(&g_br, &g_mac, 1, 3, 100);
}

void scenario_learn_evict(void)
{
    uint32_t slot, i;

    setup_bridge(8);
    mac_of(&g_mac, 0x100);
    slot = br_fdb_hash(&g_mac, 1);
    for (i = 0; i < BR_FDB_MAX_PROBE; i++)
        raw_fdb(slot + i, 0x1000 + i, 1, (uint16_t)(i % 4), 100 - i);
    br_learn(&g_br, &g_mac, 1, 3, 1000);
}

void scenario_age_table(void)
{
    union br_mac m;
    uint32_t i;

    setup_bridge(8);
    for (i = 0; i < 200; i++) {
        mac_of(&m, 0x2000 + i * 13);
        br_learn(&g_br, &m, 1, (uint16_t)(i % 8), i < 150 ? 0 : 250000);
    }
    br_fdb_age(&g_br, 310000);
}

void scenario_fdb_find_probe(void)
{
    uint32_t slot, i;

    setup_bridge(8);
    mac_of(&g_mac, 0x100);
    slot = br_fdb_hash(&g_mac, 1);
    for (i = 0; i < 5; i++) {
        raw_fdb(slot + i, 0x1000 + i, 1, 1, 10);
        g_br.fdb[(slot + i) & BR_FDB_MASK].state = BR_SLOT_DELETED;
    }
    raw_fdb(slot + 5, 0x100, 1, 2, 10);
    br_fdb_find(&g_br, &g_mac, 1);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_unicast_hit")) { scenario_unicast_hit(); ran++; }
    if (all || !strcmp(s, "scenario_unknown_unicast_flood16")) { scenario_unknown_unicast_flood16(); ran++; }
    if (all || !strcmp(s, "scenario_broadcast_flood4")) { scenario_broadcast_flood4(); ran++; }
    if (all || !strcmp(s, "scenario_blocked_port")) { scenario_blocked_port(); ran++; }
    if (all || !strcmp(s, "scenario_listening_bpdu")) { scenario_listening_bpdu(); ran++; }
    if (all || !strcmp(s, "scenario_learning_state")) { scenario_learning_state(); ran++; }
    if (all || !strcmp(s, "scenario_filtered_same_port")) { scenario_filtered_same_port(); ran++; }
    if (all || !strcmp(s, "scenario_station_move_vlan")) { scenario_station_move_vlan(); ran++; }
    if (all || !strcmp(s, "scenario_learn_new")) { scenario_learn_new(); ran++; }
    if (all || !strcmp(s, "scenario_learn_evict")) { scenario_learn_evict(); ran++; }
    if (all || !strcmp(s, "scenario_age_table")) { scenario_age_table(); ran++; }
    if (all || !strcmp(s, "scenario_fdb_find_probe")) { scenario_fdb_find_probe(); ran++; }
    return ran > 0 ? 0 : 2;
}
