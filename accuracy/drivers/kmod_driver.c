/*
 * kmod_driver.c - ground-truth scenarios for test-workspaces/kmod
 * (connection tracking).
 */
#include <string.h>
#include "../../test-workspaces/kmod/kmod.h"

#define CLIENT_NET   0x0a000000u      /* 10.0.0.0 */
#define SERVER_ADDR  0xc0000201u      /* 192.0.2.1 */

static struct ct_table g_ct;
static struct ct_tuple g_tuple;
static struct ct_skb g_skb;
static struct ct_entry *g_entry;
static enum ct_dir g_dir;
static u8 g_buf[128];

static void setup_ct(void)
{
    ct_table_init(&g_ct, 0x5eed1234u);
}

static void make_tuple(struct ct_tuple *t, u32 saddr, u32 daddr, u16 sport,
                       u16 dport, u8 proto)
{
    memset(t, 0, sizeof(*t));
    t->src.ip = cpu_to_be32(saddr);
    t->dst.ip = cpu_to_be32(daddr);
    t->src.u.all = cpu_to_be16(sport);
    t->dst.u.all = cpu_to_be16(dport);
    t->dst.protonum = proto;
    t->dst.dir = CT_DIR_ORIGINAL;
}

static void build_skb(u32 saddr, u32 daddr, u16 sport, u16 dport, u8 proto,
                      u8 syn, u8 ack)
{
    memset(&g_skb, 0, sizeof(g_skb));
    g_skb.len = 60;
    g_skb.iph.version = 4;
    g_skb.iph.ihl = 5;
    g_skb.iph.ttl = 64;
    g_skb.iph.protocol = proto;
    g_skb.iph.tot_len = cpu_to_be16(60);
    g_skb.iph.saddr = cpu_to_be32(saddr);
    g_skb.iph.daddr = cpu_to_be32(daddr);
    if (proto == CT_IPPROTO_TCP) {
        g_skb.l4.tcp.source = cpu_to_be16(sport);
        g_skb.l4.tcp.dest = cpu_to_be16(dport);
        g_skb.l4.tcp.seq = cpu_to_be32(1000);
        g_skb.l4.tcp.doff = 5;
        g_skb.l4.tcp.syn = syn;
        g_skb.l4.tcp.ack = ack;
        g_skb.l4.tcp.window = cpu_to_be16(29200);
    } else {
        g_skb.l4.ports.source = cpu_to_be16(sport);
        g_skb.l4.ports.dest = cpu_to_be16(dport);
    }
}

/* UDP client connections number first .. first+n-1:
 * 10.0.x.y:(30000+k) -> server:53 */
static void fill_conns(u32 first, u32 n, u32 now)
{
    struct ct_tuple t;
    u32 i, k;

    for (i = 0; i < n; i++) {
        k = first + i;
        make_tuple(&t, CLIENT_NET + 1 + k, SERVER_ADDR, (u16)(30000 + (k & 0x3fff)),
                   53, CT_IPPROTO_UDP);
        ct_insert(&g_ct, &t, now);
    }
}

/* inserts n tuples hashing (original direction) into target's bucket */
static void fill_colliders(const struct ct_tuple *target, u32 n, u32 now)
{
    struct ct_tuple t;
    u32 bucket = ct_hash(&g_ct, target);
    u32 found = 0, tries;

    for (tries = 0; tries < 500000 && found < n; tries++) {
        make_tuple(&t, 0x0b000000u + tries, SERVER_ADDR, 40000, 443,
                   CT_IPPROTO_TCP);
        if (ct_hash(&g_ct, &t) != bucket)
            continue;
        ct_insert(&g_ct, &t, now);
        found++;
    }
}

void scenario_lookup_hit(void)
{
    setup_ct();
    fill_conns(0, 50, 0);
    make_tuple(&g_tuple, CLIENT_NET + 1 + 17, SERVER_ADDR, 30017, 53,
               CT_IPPROTO_UDP);
    ct_lookup(&g_ct, &g_tuple, &g_dir);
}

void scenario_lookup_miss_chain(void)
{
    setup_ct();
    make_tuple(&g_tuple, CLIENT_NET + 7, SERVER_ADDR, 51000, 443,
               CT_IPPROTO_TCP);
    fill_colliders(&g_tuple, 12, 0);
    ct_lookup(&g_ct, &g_tuple, &g_dir);
}

void scenario_insert_new(void)
{
    setup_ct();
    make_tuple(&g_tuple, CLIENT_NET + 7, SERVER_ADDR, 51000, 443,
               CT_IPPROTO_TCP);
    ct_insert(&g_ct, &g_tuple, 100);
}

void scenario_insert_invalid_icmp(void)
{
    setup_ct();
    make_tuple(&g_tuple, CLIENT_NET + 7, SERVER_ADDR, 0, 0, CT_IPPROTO_ICMP);
    g_tuple.dst.u.icmp.type = 3;        /* unreachable: not trackable */
    ct_insert(&g_ct, &g_tuple, 100);
}

void scenario_in_new_udp(void)
{
    setup_ct();
    fill_conns(0, 20, 0);
    build_skb(CLIENT_NET + 200, SERVER_ADDR, 41000, 53, CT_IPPROTO_UDP, 0, 0);
    ct_in(&g_ct, &g_skb, 10);
}

void scenario_in_reply_udp(void)
{
    setup_ct();
    fill_conns(0, 20, 0);
    build_skb(SERVER_ADDR, CLIENT_NET + 1 + 5, 53, 30005, CT_IPPROTO_UDP, 0, 0);
    ct_in(&g_ct, &g_skb, 10);
}

void scenario_in_tcp_synack(void)
{
    setup_ct();
    fill_conns(0, 20, 0);
    make_tuple(&g_tuple, CLIENT_NET + 7, SERVER_ADDR, 51000, 443,
               CT_IPPROTO_TCP);
    g_entry = ct_insert(&g_ct, &g_tuple, 5);
    g_entry->tcp_state = CT_TCP_SYN_SENT;
    build_skb(SERVER_ADDR, CLIENT_NET + 7, 443, 51000, CT_IPPROTO_TCP, 1, 1);
    ct_in(&g_ct, &g_skb, 10);
}

void scenario_in_tcp_ack_no_conn(void)
{
    setup_ct();
    fill_conns(0, 20, 0);
    build_skb(CLIENT_NET + 7, SERVER_ADDR, 51000, 443, CT_IPPROTO_TCP, 0, 1);
    ct_in(&g_ct, &g_skb, 10);
}

void scenario_in_early_drop(void)
{
    u32 i;

    setup_ct();
    fill_conns(0, CT_MAX_ENTRIES, 0);
    for (i = 0; i < 5; i++)
        g_ct.pool[i].status |= CT_S_ASSURED;   /* oldest five are assured */
    build_skb(CLIENT_NET + 4000, SERVER_ADDR, 41000, 53, CT_IPPROTO_UDP, 0, 0);
    ct_in(&g_ct, &g_skb, 10);
}

void scenario_gc_budget(void)
{
    setup_ct();
    fill_conns(0, 100, 0);              /* time out at 30 */
    fill_conns(100, 200, 1000);         /* time out at 1030 */
    ct_gc(&g_ct, 500, 128);
}

void scenario_remove(void)
{
    setup_ct();
    fill_conns(0, 20, 0);
    make_tuple(&g_tuple, CLIENT_NET + 7, SERVER_ADDR, 51000, 443,
               CT_IPPROTO_TCP);
    g_entry = ct_insert(&g_ct, &g_tuple, 5);
    ct_remove(&g_ct, g_entry);
}

void scenario_fill_event(void)
{
    u32 i;

    setup_ct();
    make_tuple(&g_tuple, CLIENT_NET + 7, SERVER_ADDR, 51000, 443,
               CT_IPPROTO_TCP);
    g_entry = ct_insert(&g_ct, &g_tuple, 5);
    g_entry->acct[CT_DIR_ORIGINAL].packets = 10;
    g_entry->acct[CT_DIR_ORIGINAL].bytes = 1500;
    g_entry->ext_len = 24;
    for (i = 0; i < 24; i++)
        g_entry->ext[i] = (u8)(i * 7);
    ct_fill_event(g_entry, CT_EVENT_NEW, g_buf, sizeof(g_buf));
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_lookup_hit")) { scenario_lookup_hit(); ran++; }
    if (all || !strcmp(s, "scenario_lookup_miss_chain")) { scenario_lookup_miss_chain(); ran++; }
    if (all || !strcmp(s, "scenario_insert_new")) { scenario_insert_new(); ran++; }
    if (all || !strcmp(s, "scenario_insert_invalid_icmp")) { scenario_insert_invalid_icmp(); ran++; }
    if (all || !strcmp(s, "scenario_in_new_udp")) { scenario_in_new_udp(); ran++; }
    if (all || !strcmp(s, "scenario_in_reply_udp")) { scenario_in_reply_udp(); ran++; }
    if (all || !strcmp(s, "scenario_in_tcp_synack")) { scenario_in_tcp_synack(); ran++; }
    if (all || !strcmp(s, "scenario_in_tcp_ack_no_conn")) { scenario_in_tcp_ack_no_conn(); ran++; }
    if (all || !strcmp(s, "scenario_in_early_drop")) { scenario_in_early_drop(); ran++; }
    if (all || !strcmp(s, "scenario_gc_budget")) { scenario_gc_budget(); ran++; }
    if (all || !strcmp(s, "scenario_remove")) { scenario_remove(); ran++; }
    if (all || !strcmp(s, "scenario_fill_event")) { scenario_fill_event(); ran++; }
    return ran > 0 ? 0 : 2;
}
