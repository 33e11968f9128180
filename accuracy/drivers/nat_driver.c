/*
 * nat_driver.c - ground-truth scenarios for test-workspaces/nat.
 * Each scenario builds its state from scratch and ends with exactly one
 * call to the measured function.
 */
#include <string.h>
#include "../../test-workspaces/nat/nat.h"

#define EXT_ADDR      0xcb007101u     /* 203.0.113.1 */
#define LAN_HOST      0x0a000005u     /* 10.0.0.5 */
#define REMOTE_HOST   0xc6336407u     /* 198.51.100.7 */
#define TIMEOUT       10000

static struct nat_state  g_nat;
static struct nat_config g_cfg;
static struct nat_packet g_pkt;
static struct nat_flow_key g_key;
static uint32_t g_lcg;

static uint32_t lcg_next(void)
{
    g_lcg = g_lcg * 1103515245u + 12345u;
    return g_lcg >> 8;
}

static void setup_nat(void)
{
    memset(&g_cfg, 0, sizeof(g_cfg));
    g_cfg.ext_addr = nat_htonl(EXT_ADDR);
    g_cfg.port_base = NAT_PORT_BASE;
    g_cfg.flow_timeout = TIMEOUT;
    g_cfg.wan_mac[0] = 0x02;
    g_cfg.wan_mac[5] = 0x01;
    g_cfg.gw_mac[0] = 0x02;
    g_cfg.gw_mac[5] = 0xfe;
    g_cfg.lan_mac[0] = 0x02;
    g_cfg.lan_mac[5] = 0x02;
    nat_init(&g_nat, &g_cfg);
    g_lcg = 12345;
}

static void build_packet(uint16_t device, uint8_t proto, uint32_t src,
                         uint32_t dst, uint16_t sport, uint16_t dport,
                         uint8_t tcp_flags)
{
    memset(&g_pkt, 0, sizeof(g_pkt));
    g_pkt.eth.ether_type = nat_htons(NAT_ETHERTYPE_IPV4);
    g_pkt.eth.src[0] = 0x02;
    g_pkt.eth.src[5] = 0x55;
    g_pkt.ip.version = 4;
    g_pkt.ip.ihl = 5;
    g_pkt.ip.ttl = 64;
    g_pkt.ip.protocol = proto;
    g_pkt.ip.total_len = nat_htons(60);
    g_pkt.ip.src_addr = nat_htonl(src);
    g_pkt.ip.dst_addr = nat_htonl(dst);
    g_pkt.l4.ports.src_port = nat_htons(sport);
    g_pkt.l4.ports.dst_port = nat_htons(dport);
    if (proto == NAT_PROTO_TCP) {
        g_pkt.l4.tcp.data_off = 5;
        g_pkt.l4.tcp.flags = tcp_flags;
        g_pkt.l4.tcp.checksum = 0x1234;
    } else {
        g_pkt.l4.udp.length = nat_htons(40);
        g_pkt.l4.udp.checksum = 0x4321;
    }
    g_pkt.device = device;
    g_pkt.frame_len = 74;
}

static void make_key(struct nat_flow_key *k, uint32_t src, uint32_t dst,
                     uint16_t sport, uint16_t dport, uint8_t proto)
{
    memset(k, 0, sizeof(*k));
    k->src_addr = nat_htonl(src);
    k->dst_addr = nat_htonl(dst);
    k->src_port = nat_htons(sport);
    k->dst_port = nat_htons(dport);
    k->protocol = proto;
    k->device = NAT_LAN_DEVICE;
}

/* inserts n unrelated LAN flows whose last_seen is t0, t0+step, ... */
static void fill_flows(uint32_t n, uint64_t t0, uint64_t step)
{
    struct nat_flow_key k;
    uint32_t i;

    for (i = 0; i < n; i++) {
        make_key(&k, 0x0a010000u + i, REMOTE_HOST + (i & 7),
                 (uint16_t)(20000 + i), 443, NAT_PROTO_TCP);
        nat_insert(&g_nat, &k, t0 + (uint64_t)i * step);
    }
}

/* inserts n keys that land in the internal bucket of `target` */
static void fill_colliders(const struct nat_flow_key *target, uint32_t n,
                           uint64_t now)
{
    struct nat_flow_key k;
    uint32_t bucket = nat_flow_hash(target) & NAT_BUCKET_MASK;
    uint32_t found = 0, tries;

    /* the source address is unique per try, so no key repeats */
    for (tries = 0; tries < 1000000 && found < n; tries++) {
        make_key(&k, 0x0b000000u + tries, REMOTE_HOST,
                 (uint16_t)(1024 + (lcg_next() & 0x7fff)), 80, NAT_PROTO_TCP);
        if ((nat_flow_hash(&k) & NAT_BUCKET_MASK) != bucket)
            continue;
        nat_insert(&g_nat, &k, now);
        found++;
    }
}

void scenario_non_ip(void)
{
    setup_nat();
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_TCP, LAN_HOST, REMOTE_HOST, 40000,
                 443, NAT_TCP_SYN);
    g_pkt.eth.ether_type = nat_htons(NAT_ETHERTYPE_ARP);
    nat_process(&g_nat, &g_pkt, 100);
}

void scenario_bad_proto(void)
{
    setup_nat();
    fill_flows(8, 0, 1);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_ICMP, LAN_HOST, REMOTE_HOST, 0, 0, 0);
    nat_process(&g_nat, &g_pkt, 100);
}

void scenario_lan_miss_insert(void)
{
    setup_nat();
    fill_flows(10, 0, 1);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_TCP, LAN_HOST, REMOTE_HOST, 40000,
                 443, NAT_TCP_SYN);
    nat_process(&g_nat, &g_pkt, 100);
}

void scenario_lan_hit(void)
{
    setup_nat();
    fill_flows(10, 0, 1);
    make_key(&g_key, LAN_HOST, REMOTE_HOST, 40000, 443, NAT_PROTO_TCP);
    nat_insert(&g_nat, &g_key, 50);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_TCP, LAN_HOST, REMOTE_HOST, 40000,
                 443, NAT_TCP_ACK);
    nat_process(&g_nat, &g_pkt, 200);
}

void scenario_lan_hit_udp(void)
{
    setup_nat();
    make_key(&g_key, LAN_HOST, 0x08080808u, 5353, 53, NAT_PROTO_UDP);
    nat_insert(&g_nat, &g_key, 50);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_UDP, LAN_HOST, 0x08080808u, 5353,
                 53, 0);
    nat_process(&g_nat, &g_pkt, 200);
}

void scenario_wan_hit(void)
{
    int32_t idx;

    setup_nat();
    fill_flows(10, 0, 1);
    make_key(&g_key, LAN_HOST, REMOTE_HOST, 40000, 443, NAT_PROTO_TCP);
    idx = nat_insert(&g_nat, &g_key, 50);
    build_packet(NAT_WAN_DEVICE, NAT_PROTO_TCP, REMOTE_HOST, EXT_ADDR, 443,
                 (uint16_t)(NAT_PORT_BASE + idx), NAT_TCP_SYN | NAT_TCP_ACK);
    nat_process(&g_nat, &g_pkt, 200);
}

void scenario_wan_no_flow(void)
{
    setup_nat();
    fill_flows(10, 0, 1);
    build_packet(NAT_WAN_DEVICE, NAT_PROTO_UDP, REMOTE_HOST, EXT_ADDR, 53,
                 60000, 0);
    nat_process(&g_nat, &g_pkt, 200);
}

void scenario_hit_with_expired(void)
{
    setup_nat();
    fill_flows(50, 0, 2);
    make_key(&g_key, LAN_HOST, REMOTE_HOST, 40000, 443, NAT_PROTO_TCP);
    nat_insert(&g_nat, &g_key, 5000);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_TCP, LAN_HOST, REMOTE_HOST, 40000,
                 443, NAT_TCP_ACK);
    nat_process(&g_nat, &g_pkt, TIMEOUT + 100);
}

void scenario_long_chain_hit(void)
{
    setup_nat();
    make_key(&g_key, LAN_HOST, REMOTE_HOST, 40000, 443, NAT_PROTO_TCP);
    nat_insert(&g_nat, &g_key, 50);      /* ends up at the tail of its chain */
    fill_colliders(&g_key, 23, 60);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_TCP, LAN_HOST, REMOTE_HOST, 40000,
                 443, NAT_TCP_ACK);
    nat_process(&g_nat, &g_pkt, 200);
}

void scenario_table_full(void)
{
    setup_nat();
    fill_flows(NAT_FLOW_CAPACITY, 0, 0);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_TCP, LAN_HOST, REMOTE_HOST, 40000,
                 443, NAT_TCP_SYN);
    nat_process(&g_nat, &g_pkt, 500);
}

void scenario_tcp_rst(void)
{
    setup_nat();
    fill_flows(4, 0, 1);
    make_key(&g_key, LAN_HOST, REMOTE_HOST, 40000, 443, NAT_PROTO_TCP);
    nat_insert(&g_nat, &g_key, 50);
    build_packet(NAT_LAN_DEVICE, NAT_PROTO_TCP, LAN_HOST, REMOTE_HOST, 40000,
                 443, NAT_TCP_RST);
    nat_process(&g_nat, &g_pkt, 200);
}

void scenario_expire_many(void)
{
    setup_nat();
    fill_flows(200, 0, 10);              /* last_seen = 0, 10, ..., 1990 */
    /* the first 120 (last_seen <= 1190) are expired */
    nat_expire_flows(&g_nat, TIMEOUT + 1195);
}

void scenario_lookup_long_chain_miss(void)
{
    setup_nat();
    make_key(&g_key, LAN_HOST, REMOTE_HOST, 40000, 443, NAT_PROTO_TCP);
    fill_colliders(&g_key, 16, 10);
    nat_lookup_int(&g_nat, &g_key);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_non_ip")) { scenario_non_ip(); ran++; }
    if (all || !strcmp(s, "scenario_bad_proto")) { scenario_bad_proto(); ran++; }
    if (all || !strcmp(s, "scenario_lan_miss_insert")) { scenario_lan_miss_insert(); ran++; }
    if (all || !strcmp(s, "scenario_lan_hit")) { scenario_lan_hit(); ran++; }
    if (all || !strcmp(s, "scenario_lan_hit_udp")) { scenario_lan_hit_udp(); ran++; }
    if (all || !strcmp(s, "scenario_wan_hit")) { scenario_wan_hit(); ran++; }
    if (all || !strcmp(s, "scenario_wan_no_flow")) { scenario_wan_no_flow(); ran++; }
    if (all || !strcmp(s, "scenario_hit_with_expired")) { scenario_hit_with_expired(); ran++; }
    if (all || !strcmp(s, "scenario_long_chain_hit")) { scenario_long_chain_hit(); ran++; }
    if (all || !strcmp(s, "scenario_table_full")) { scenario_table_full(); ran++; }
    if (all || !strcmp(s, "scenario_tcp_rst")) { scenario_tcp_rst(); ran++; }
    if (all || !strcmp(s, "scenario_expire_many")) { scenario_expire_many(); ran++; }
    if (all || !strcmp(s, "scenario_lookup_long_chain_miss")) { scenario_lookup_long_chain_miss(); ran++; }
    return ran > 0 ? 0 : 2;
}
