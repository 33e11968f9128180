/*
 * xdp_driver.c - ground-truth scenarios for test-workspaces/xdp.
 * Frames are written into a static buffer with 2 bytes of headroom
 * (NET_IP_ALIGN) so that the IP header is 4-byte aligned.
 */
#include <string.h>
#include "../../test-workspaces/xdp/xdp.h"

#define BUF_SIZE     512
#define HEADROOM     2
#define CLIENT_V4    0x0a000005u
#define SERVER_V4    0xc0000201u

static union {
    __u8  bytes[BUF_SIZE];
    __u64 align;
} g_buf;
static __u8 *g_cur;
static struct xdp_md g_ctx;
static struct xdp_config g_cfg;
static struct flow_key g_key;
static struct flow_stats g_stats;

static void setup_xdp(void)
{
    xdp_maps_reset();
    memset(&g_cfg, 0, sizeof(g_cfg));
    g_cfg.echo_port = 7;
    g_cfg.enable_tx = 1;
    g_cfg.drop_fragments = 1;
    memcpy(config_map.values, &g_cfg, sizeof(g_cfg));
    memset(&g_buf, 0, sizeof(g_buf));
    g_cur = g_buf.bytes + HEADROOM;
}

static void put_eth(__u16 proto)
{
    struct ethhdr *eth = (struct ethhdr *)g_cur;

    eth->h_dest[0] = 0x02;
    eth->h_dest[5] = 0x01;
    eth->h_source[0] = 0x02;
    eth->h_source[5] = 0x99;
    eth->h_proto = bpf_htons(proto);
    g_cur += sizeof(*eth);
}

static void put_vlan(__u16 vid, __u16 inner)
{
    struct vlan_hdr *v = (struct vlan_hdr *)g_cur;

    v->h_vlan_TCI = bpf_htons(vid);
    v->h_vlan_encapsulated_proto = bpf_htons(inner);
    g_cur += sizeof(*v);
}

static void put_ipv4(__u32 saddr, __u32 daddr, __u8 proto, __u16 frag)
{
    struct iphdr *ip = (struct iphdr *)g_cur;

    ip->version = 4;
    ip->ihl = 5;
    ip->ttl = 64;
    ip->protocol = proto;
    ip->tot_len = bpf_htons(60);
    ip->frag_off = bpf_htons(frag);
    ip->saddr = bpf_htonl(saddr);
    ip->daddr = bpf_htonl(daddr);
    g_cur += sizeof(*ip);
}

static void put_ipv6(__u8 nexthdr, __u8 last)
{
    struct ipv6hdr *ip6 = (struct ipv6hdr *)g_cur;

    ip6->version = 6;
    ip6->nexthdr = nexthdr;
    ip6->hop_limit = 64;
    ip6->payload_len = bpf_htons(40);
    ip6->saddr.in6_u.u6_addr8[0] = 0x20;
    ip6->saddr.in6_u.u6_addr8[1] = 0x01;
    ip6->saddr.in6_u.u6_addr8[15] = 0x05;
    ip6->daddr.in6_u.u6_addr8[0] = 0x20;
    ip6->daddr.in6_u.u6_addr8[1] = 0x01;
    ip6->daddr.in6_u.u6_addr8[15] = last;
    g_cur += sizeof(*ip6);
}

static void put_ext(__u8 nexthdr, __u8 hdrlen)
{
    struct ipv6_opt_hdr *opt = (struct ipv6_opt_hdr *)g_cur;

    opt->nexthdr = nexthdr;
    opt->hdrlen = hdrlen;
    g_cur += (hdrlen + 1) * 8;
}

static void put_tcp(__u16 sport, __u16 dport, __u8 syn, __u8 ack)
{
    struct tcphdr *t = (struct tcphdr *)g_cur;

    t->source = bpf_htons(sport);
    t->dest = bpf_htons(dport);
    t->seq = bpf_htonl(1000);
    t->doff = 5;
    t->syn = syn;
    t->ack = ack;
    t->window = bpf_htons(65535);
    g_cur += sizeof(*t);
}

static void put_udp(__u16 sport, __u16 dport, __u16 payload)
{
    struct udphdr *u = (struct udphdr *)g_cur;

    u->source = bpf_htons(sport);
    u->dest = bpf_htons(dport);
    u->len = bpf_htons((__u16)(sizeof(*u) + payload));
    g_cur += sizeof(*u) + payload;
}

static void finish_frame(void)
{
    memset(&g_ctx, 0, sizeof(g_ctx));
    g_ctx.data = g_buf.bytes + HEADROOM;
    g_ctx.data_end = g_cur;
    g_ctx.ingress_ifindex = 3;
}

static void v4_key(struct flow_key *k, __u32 saddr, __u32 daddr, __u16 sport,
                   __u16 dport, __u8 proto)
{
    memset(k, 0, sizeof(*k));
    k->v4.saddr = bpf_htonl(saddr);
    k->v4.daddr = bpf_htonl(daddr);
    k->sport = bpf_htons(sport);
    k->dport = bpf_htons(dport);
    k->proto = proto;
    k->family = XDP_FAMILY_INET;
}

/* n unrelated TCP flows in flow_map */
static void fill_flows(__u32 n)
{
    struct flow_key k;
    __u32 i;

    memset(&g_stats, 0, sizeof(g_stats));
    g_stats.packets = 1;
    for (i = 0; i < n; i++) {
        v4_key(&k, 0x0b000000u + i, SERVER_V4, (__u16)(20000 + i), 443,
               IPPROTO_TCP);
        bpf_map_update_elem(&flow_map, &k, &g_stats, BPF_NOEXIST);
    }
}

void scenario_ipv4_tcp_new_flow(void)
{
    setup_xdp();
    fill_flows(10);
    put_eth(ETH_P_IP);
    put_ipv4(CLIENT_V4, SERVER_V4, IPPROTO_TCP, 0);
    put_tcp(40000, 443, 1, 0);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_ipv4_tcp_existing_flow(void)
{
    setup_xdp();
    fill_flows(10);
    v4_key(&g_key, CLIENT_V4, SERVER_V4, 40000, 443, IPPROTO_TCP);
    bpf_map_update_elem(&flow_map, &g_key, &g_stats, BPF_NOEXIST);
    put_eth(ETH_P_IP);
    put_ipv4(CLIENT_V4, SERVER_V4, IPPROTO_TCP, 0);
    put_tcp(40000, 443, 0, 1);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_ipv4_udp_echo_tx(void)
{
    setup_xdp();
    put_eth(ETH_P_IP);
    put_ipv4(CLIENT_V4, SERVER_V4, IPPROTO_UDP, 0);
    put_udp(5555, 7, 32);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_blocklisted_source(void)
{
    __u32 addr = bpf_htonl(CLIENT_V4);
    __u64 zero = 0;

    setup_xdp();
    bpf_map_update_elem(&blocklist_map, &addr, &zero, BPF_NOEXIST);
    put_eth(ETH_P_IP);
    put_ipv4(CLIENT_V4, SERVER_V4, IPPROTO_TCP, 0);
    put_tcp(40000, 443, 1, 0);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_truncated_ipv4(void)
{
    setup_xdp();
    put_eth(ETH_P_IP);
    put_ipv4(CLIENT_V4, SERVER_V4, IPPROTO_TCP, 0);
    g_cur -= 8;                          /* cut inside the IP header */
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_qinq_ipv6_udp(void)
{
    setup_xdp();
    put_eth(ETH_P_8021AD);
    put_vlan(100, ETH_P_8021Q);
    put_vlan(200, ETH_P_IPV6);
    put_ipv6(IPPROTO_UDP, 0x01);
    put_udp(5353, 53, 24);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_ipv6_ext_headers_tcp(void)
{
    setup_xdp();
    put_eth(ETH_P_IPV6);
    put_ipv6(IPPROTO_HOPOPTS, 0x02);
    put_ext(IPPROTO_DSTOPTS, 0);
    put_ext(IPPROTO_TCP, 1);
    put_tcp(40000, 443, 1, 0);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_arp_pass(void)
{
    setup_xdp();
    put_eth(ETH_P_ARP);
    g_cur += 28;
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_ipv4_fragment_drop(void)
{
    setup_xdp();
    put_eth(ETH_P_IP);
    put_ipv4(CLIENT_V4, SERVER_V4, IPPROTO_UDP, IP_MF);
    put_udp(5555, 53, 32);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_flow_table_full_drop(void)
{
    setup_xdp();
    g_cfg.flags = XDP_CFG_DROP_ON_FULL;
    memcpy(config_map.values, &g_cfg, sizeof(g_cfg));
    fill_flows(FLOW_MAP_ENTRIES);
    put_eth(ETH_P_IP);
    put_ipv4(CLIENT_V4, SERVER_V4, IPPROTO_TCP, 0);
    put_tcp(40000, 443, 1, 0);
    finish_frame();
    xdp_prog_main(&g_ctx);
}

void scenario_map_lookup_hit(void)
{
    setup_xdp();
    fill_flows(20);
    v4_key(&g_key, 0x0b000000u + 13, SERVER_V4, 20013, 443, IPPROTO_TCP);
    bpf_map_lookup_elem(&flow_map, &g_key);
}

void scenario_map_update_new(void)
{
    setup_xdp();
    memset(&g_stats, 0, sizeof(g_stats));
    g_stats.packets = 1;
    v4_key(&g_key, CLIENT_V4, SERVER_V4, 40000, 443, IPPROTO_TCP);
    bpf_map_update_elem(&flow_map, &g_key, &g_stats, BPF_NOEXIST);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_ipv4_tcp_new_flow")) { scenario_ipv4_tcp_new_flow(); ran++; }
    if (all || !strcmp(s, "scenario_ipv4_tcp_existing_flow")) { scenario_ipv4_tcp_existing_flow(); ran++; }
    if (all || !strcmp(s, "scenario_ipv4_udp_echo_tx")) { scenario_ipv4_udp_echo_tx(); ran++; }
    if (all || !strcmp(s, "scenario_blocklisted_source")) { scenario_blocklisted_source(); ran++; }
    if (all || !strcmp(s, "scenario_truncated_ipv4")) { scenario_truncated_ipv4(); ran++; }
    if (all || !strcmp(s, "scenario_qinq_ipv6_udp")) { scenario_qinq_ipv6_udp(); ran++; }
    if (all || !strcmp(s, "scenario_ipv6_ext_headers_tcp")) { scenario_ipv6_ext_headers_tcp(); ran++; }
    if (all || !strcmp(s, "scenario_arp_pass")) { scenario_arp_pass(); ran++; }
    if (all || !strcmp(s, "scenario_ipv4_fragment_drop")) { scenario_ipv4_fragment_drop(); ran++; }
    if (all || !strcmp(s, "scenario_flow_table_full_drop")) { scenario_flow_table_full_drop(); ran++; }
    if (all || !strcmp(s, "scenario_map_lookup_hit")) { scenario_map_lookup_hit(); ran++; }
    if (all || !strcmp(s, "scenario_map_update_new")) { scenario_map_update_new(); ran++; }
    return ran > 0 ? 0 : 2;
}
