/*
 * firewall_driver.c - ground-truth scenarios for test-workspaces/firewall.
 */
#include <string.h>
#include "../../test-workspaces/firewall/firewall.h"

#define CLIENT     0x0a000005u        /* 10.0.0.5 */
#define SERVER     0xc0000201u        /* 192.0.2.1 */
#define FAR_FUTURE 1000000000ull

static struct fw_state g_fw;
static struct fw_rule g_rule;
static struct fw_pkt g_pkt;
static struct fw_conn *g_conn;

static uint16_t be16(uint16_t x)
{
    return (uint16_t)((x >> 8) | (x << 8));
}

static uint32_t be32(uint32_t x)
{
    return ((x & 0xffu) << 24) | ((x & 0xff00u) << 8) |
           ((x >> 8) & 0xff00u) | (x >> 24);
}

static void make_rule(struct fw_rule *r, uint32_t src, uint32_t smask,
                      uint32_t dst, uint32_t dmask, uint8_t proto,
                      uint16_t dport_lo, uint16_t dport_hi, uint8_t action,
                      uint16_t prio, uint8_t stateful)
{
    memset(r, 0, sizeof(*r));
    r->src_addr = src;
    r->src_mask = smask;
    r->dst_addr = dst;
    r->dst_mask = dmask;
    r->sport.lo = 0;
    r->sport.hi = 0xffff;
    r->dport.lo = dport_lo;
    r->dport.hi = dport_hi;
    r->proto = proto;
    r->action = action;
    r->priority = prio;
    r->enabled = 1;
    r->stateful = stateful;
    r->iface = FW_IFACE_ANY;
}

/* n deny rules for 172.16.i.0/24 that never match the test traffic */
static void add_filler_rules(uint32_t n, uint16_t prio)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        make_rule(&g_rule, 0xac100000u | (i << 8), 0xffffff00u, 0, 0,
                  FW_PROTO_TCP, 0, 0xffff, FW_ACT_DENY, prio, 0);
        fw_add_rule(&g_fw, &g_rule);
    }
}

static void setup_fw(void)
{
    fw_init(&g_fw, FW_ACT_DENY);
}

static void build_tcp(uint32_t src, uint32_t dst, uint16_t sport,
                      uint16_t dport, uint8_t flags)
{
    memset(&g_pkt, 0, sizeof(g_pkt));
    g_pkt.ip.version = 4;
    g_pkt.ip.ihl = 5;
    g_pkt.ip.ttl = 64;
    g_pkt.ip.protocol = FW_PROTO_TCP;
    g_pkt.ip.total_len = be16(52);
    g_pkt.ip.src_addr = be32(src);
    g_pkt.ip.dst_addr = be32(dst);
    g_pkt.l4.tcp.src_port = be16(sport);
    g_pkt.l4.tcp.dst_port = be16(dport);
    g_pkt.l4.tcp.seq = be32(7000);
    g_pkt.l4.tcp.data_off = 5;
    g_pkt.l4.tcp.flags = flags;
    g_pkt.len = 66;
    g_pkt.iface = 1;
}

static void build_udp(uint32_t src, uint32_t dst, uint16_t sport,
                      uint16_t dport)
{
    memset(&g_pkt, 0, sizeof(g_pkt));
    g_pkt.ip.version = 4;
    g_pkt.ip.ihl = 5;
    g_pkt.ip.ttl = 64;
    g_pkt.ip.protocol = FW_PROTO_UDP;
    g_pkt.ip.total_len = be16(60);
    g_pkt.ip.src_addr = be32(src);
    g_pkt.ip.dst_addr = be32(dst);
    g_pkt.l4.udp.src_port = be16(sport);
    g_pkt.l4.udp.dst_port = be16(dport);
    g_pkt.l4.udp.length = be16(40);
    g_pkt.len = 74;
    g_pkt.iface = 1;
}

/* allow TCP/443 to SERVER (stateful) after `fillers` non-matching rules */
static void standard_policy(uint32_t fillers)
{
    add_filler_rules(fillers, 10);
    make_rule(&g_rule, 0, 0, SERVER, 0xffffffffu, FW_PROTO_TCP, 443, 443,
              FW_ACT_ALLOW, 20, 1);
    fw_add_rule(&g_fw, &g_rule);
    make_rule(&g_rule, 0, 0, 0, 0, FW_PROTO_UDP, 53, 53, FW_ACT_ALLOW, 20, 1);
    fw_add_rule(&g_fw, &g_rule);
    make_rule(&g_rule, 0, 0, 0, 0, FW_PROTO_TCP, 23, 23, FW_ACT_REJECT, 30, 0);
    fw_add_rule(&g_fw, &g_rule);
}

void scenario_default_deny_scan(void)
{
    setup_fw();
    add_filler_rules(100, 10);
    build_tcp(CLIENT, SERVER, 40000, 8080, FW_TCP_SYN);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_first_rule_udp_stateless(void)
{
    setup_fw();
    make_rule(&g_rule, 0, 0, 0, 0, FW_PROTO_UDP, 53, 53, FW_ACT_ALLOW, 1, 0);
    fw_add_rule(&g_fw, &g_rule);
    add_filler_rules(50, 10);
    build_udp(CLIENT, SERVER, 5353, 53);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_tcp_syn_new_conn(void)
{
    setup_fw();
    standard_policy(9);
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_SYN);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_tcp_established_hit(void)
{
    setup_fw();
    standard_policy(9);
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_SYN);
    g_conn = fw_ct_create(&g_fw, &g_pkt, 9, 100);
    g_conn->state = FW_TCP_ESTABLISHED;
    g_conn->expires = FAR_FUTURE;
    build_tcp(SERVER, CLIENT, 443, 40000, FW_TCP_ACK | FW_TCP_PSH);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_tcp_handshake_ack_fin(void)
{
    setup_fw();
    standard_policy(9);
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_SYN);
    g_conn = fw_ct_create(&g_fw, &g_pkt, 9, 100);
    g_conn->state = FW_TCP_SYN_RECV;
    g_conn->expires = FAR_FUTURE;
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_ACK | FW_TCP_FIN);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_tcp_ack_no_conn(void)
{
    setup_fw();
    standard_policy(9);
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_ACK);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_reject_rst(void)
{
    setup_fw();
    standard_policy(20);
    build_tcp(CLIENT, SERVER, 40000, 23, FW_TCP_SYN);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_expired_udp_rematch(void)
{
    setup_fw();
    standard_policy(9);
    build_udp(CLIENT, SERVER, 5353, 53);
    g_conn = fw_ct_create(&g_fw, &g_pkt, 10, 100);
    g_conn->expires = 500;
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_ct_bucket_evict(void)
{
    struct fw_conn_key key;
    bool lo;
    uint32_t bucket, found = 0;
    uint16_t sport;

    setup_fw();
    standard_policy(9);
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_SYN);
    bucket = fw_make_key(&g_pkt, &key, &lo);
    for (sport = 1024; sport < 65000 && found < FW_CT_WAYS; sport++) {
        if (sport == 40000)
            continue;
        build_tcp(CLIENT, SERVER, sport, 443, FW_TCP_SYN);
        if (fw_make_key(&g_pkt, &key, &lo) != bucket)
            continue;
        g_conn = fw_ct_create(&g_fw, &g_pkt, 9, 100 + found);
        g_conn->state = FW_TCP_ESTABLISHED;
        g_conn->expires = FAR_FUTURE;
        found++;
    }
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_SYN);
    fw_process(&g_fw, &g_pkt, 1000);
}

void scenario_gc(void)
{
    uint32_t i;

    setup_fw();
    for (i = 0; i < 300; i++) {
        build_udp(CLIENT + (i & 0xff), SERVER, (uint16_t)(10000 + i), 53);
        g_conn = fw_ct_create(&g_fw, &g_pkt, 0, 100);
        g_conn->expires = i < 120 ? 500 : FAR_FUTURE;
    }
    fw_gc(&g_fw, 1000);
}

void scenario_add_rule_shift(void)
{
    uint32_t i;

    setup_fw();
    for (i = 0; i < 60; i++) {
        make_rule(&g_fw.rules[i], 0xac100000u | (i << 8), 0xffffff00u, 0, 0,
                  FW_PROTO_TCP, 0, 0xffff, FW_ACT_DENY, (uint16_t)(100 + i), 0);
    }
    g_fw.n_rules = 60;
    make_rule(&g_rule, 0, 0, SERVER, 0xffffffffu, FW_PROTO_TCP, 443, 443,
              FW_ACT_ALLOW, 5, 1);
    fw_add_rule(&g_fw, &g_rule);
}

void scenario_match_rules_at_40(void)
{
    setup_fw();
    standard_policy(40);
    build_tcp(CLIENT, SERVER, 40000, 443, FW_TCP_SYN);
    fw_match_rules(&g_fw, &g_pkt);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_default_deny_scan")) { scenario_default_deny_scan(); ran++; }
    if (all || !strcmp(s, "scenario_first_rule_udp_stateless")) { scenario_first_rule_udp_stateless(); ran++; }
    if (all || !strcmp(s, "scenario_tcp_syn_new_conn")) { scenario_tcp_syn_new_conn(); ran++; }
    if (all || !strcmp(s, "scenario_tcp_established_hit")) { scenario_tcp_established_hit(); ran++; }
    if (all || !strcmp(s, "scenario_tcp_handshake_ack_fin")) { scenario_tcp_handshake_ack_fin(); ran++; }
    if (all || !strcmp(s, "scenario_tcp_ack_no_conn")) { scenario_tcp_ack_no_conn(); ran++; }
    if (all || !strcmp(s, "scenario_reject_rst")) { scenario_reject_rst(); ran++; }
    if (all || !strcmp(s, "scenario_expired_udp_rematch")) { scenario_expired_udp_rematch(); ran++; }
    if (all || !strcmp(s, "scenario_ct_bucket_evict")) { scenario_ct_bucket_evict(); ran++; }
    if (all || !strcmp(s, "scenario_gc")) { scenario_gc(); ran++; }
    if (all || !strcmp(s, "scenario_add_rule_shift")) { scenario_add_rule_shift(); ran++; }
    if (all || !strcmp(s, "scenario_match_rules_at_40")) { scenario_match_rules_at_40(); ran++; }
    return ran > 0 ? 0 : 2;
}
