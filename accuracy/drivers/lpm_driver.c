/*
 * lpm_driver.c - ground-truth scenarios for test-workspaces/lpm.
 */
#include <string.h>
#include "../../test-workspaces/lpm/lpm.h"

#define BURST 32

static struct lpm_table g_lpm;
static struct lpm_packet g_pkt;
static uint32_t g_ips[BURST];
static uint16_t g_hops[BURST];
static uint16_t g_nh;

static uint32_t ip4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    return (a << 24) | (b << 16) | (c << 8) | d;
}

static void setup_lpm(void)
{
    uint32_t i;

    lpm_init(&g_lpm);
    for (i = 0; i < LPM_MAX_NEXT_HOPS; i++) {
        struct lpm_next_hop *h = &g_lpm.next_hops[i];

        h->gateway = ip4(192, 168, 0, i);
        h->out_port = (uint16_t)(i % 8);
        h->dst_mac[0] = 0x02;
        h->dst_mac[5] = (uint8_t)i;
        h->src_mac[0] = 0x02;
        h->src_mac[4] = 0xaa;
        h->mtu = 1500;
    }
}

static void build_packet(uint32_t dst, uint8_t ttl)
{
    memset(&g_pkt, 0, sizeof(g_pkt));
    g_pkt.eth.ether_type = lpm_bswap16(LPM_ETHERTYPE_IPV4);
    g_pkt.ip.version = 4;
    g_pkt.ip.ihl = 5;
    g_pkt.ip.ttl = ttl;
    g_pkt.ip.protocol = 17;
    g_pkt.ip.total_len = lpm_bswap16(100);
    g_pkt.ip.checksum = 0x1c46;
    g_pkt.ip.src_addr = lpm_bswap32(ip4(172, 16, 0, 1));
    g_pkt.ip.dst_addr = lpm_bswap32(dst);
    g_pkt.in_port = 7;
    g_pkt.frame_len = 114;
}

static void add_background_routes(void)
{
    lpm_add(&g_lpm, ip4(10, 1, 0, 0), 16, 1);
    lpm_add(&g_lpm, ip4(10, 1, 2, 0), 24, 2);
    lpm_add(&g_lpm, ip4(172, 16, 0, 0), 12, 3);
    lpm_add(&g_lpm, ip4(192, 0, 2, 0), 24, 4);
}

/*
 * Raw table writers for scenarios that measure lpm_add itself: they build
 * the pre-state without calling lpm_add.
 */
static void raw_rule(uint32_t prefix, uint8_t depth, uint16_t nh)
{
    struct lpm_rule *r = &g_lpm.rules[g_lpm.n_rules++];

    r->prefix = prefix;
    r->depth = depth;
    r->next_hop = nh;
    r->in_use = 1;
}

static void raw_entry(union lpm_entry *e, uint16_t nh, uint8_t depth, uint8_t ext)
{
    e->raw = 0;
    e->next_hop = nh;
    e->depth = depth;
    e->ext = ext;
    e->valid = 1;
}

/* a /depth route with depth <= LPM_TBL24_BITS */
static void raw_short_route(uint32_t prefix, uint8_t depth, uint16_t nh)
{
    uint32_t start = prefix >> (32 - LPM_TBL24_BITS);
    uint32_t count = 1u << (LPM_TBL24_BITS - depth);
    uint32_t i;

    raw_rule(prefix, depth, nh);
    for (i = start; i < start + count; i++)
        raw_entry(&g_lpm.tbl24[i], nh, depth, 0);
}

/* a /depth route with depth > LPM_TBL24_BITS in a fresh group gid */
static void raw_long_route(uint32_t prefix, uint8_t depth, uint16_t nh, uint16_t gid)
{
    uint32_t idx24 = prefix >> (32 - LPM_TBL24_BITS);
    uint32_t idx8 = (prefix >> (32 - LPM_MAX_DEPTH)) & LPM_TBL8_MASK;
    uint32_t count = 1u << (LPM_MAX_DEPTH - depth);
    uint32_t i;

    raw_rule(prefix, depth, nh);
    g_lpm.tbl8_in_use[gid] = 1;
    g_lpm.tbl8_used++;
    for (i = 0; i < LPM_TBL8_GROUP_SIZE; i++)
        g_lpm.tbl8[gid].entry[i].raw = 0;
    for (i = idx8; i < idx8 + count; i++)
        raw_entry(&g_lpm.tbl8[gid].entry[i], nh, depth, 0);
    raw_entry(&g_lpm.tbl24[idx24], gid, 0, 1);
}

void scenario_lookup_tbl24_hit(void)
{
    setup_lpm();
    add_background_routes();
    lpm_lookup(&g_lpm, ip4(172, 20, 7, 9), &g_nh);
}

void scenario_lookup_tbl8_hit(void)
{
    setup_lpm();
    add_background_routes();
    lpm_lookup(&g_lpm, ip4(10, 1, 2, 3), &g_nh);
}

void scenario_lookup_miss(void)
{
    setup_lpm();
    add_background_routes();
    lpm_lookup(&g_lpm, ip4(198, 51, 100, 1), &g_nh);
}

void scenario_add_short_8(void)
{
    setup_lpm();
    lpm_add(&g_lpm, ip4(10, 0, 0, 0), 8, 5);
}

void scenario_add_long_new_group(void)
{
    setup_lpm();
    raw_short_route(ip4(10, 1, 0, 0), 16, 1);
    lpm_add(&g_lpm, ip4(10, 1, 32, 0), 20, 6);
}

void scenario_add_long_existing_group(void)
{
    setup_lpm();
    raw_long_route(ip4(10, 1, 2, 0), 24, 2, 0);
    lpm_add(&g_lpm, ip4(10, 1, 0, 0), 18, 7);
}

void scenario_add_short_over_groups(void)
{
    uint32_t i;

    setup_lpm();
    for (i = 0; i < 4; i++)
        raw_long_route(ip4(10, i, 9, 0), 24, (uint16_t)(10 + i), (uint16_t)i);
    lpm_add(&g_lpm, ip4(10, 0, 0, 0), 12, 8);
}

void scenario_add_bad_depth(void)
{
    setup_lpm();
    raw_short_route(ip4(10, 1, 0, 0), 16, 1);
    lpm_add(&g_lpm, ip4(10, 1, 2, 4), 30, 9);
}

void scenario_add_many_rules(void)
{
    uint32_t i;

    setup_lpm();
    for (i = 0; i < 100; i++)
        raw_short_route(ip4(20, i, 0, 0), 16, (uint16_t)(i % LPM_MAX_NEXT_HOPS));
    lpm_add(&g_lpm, ip4(30, 1, 0, 0), 16, 11);
}

void scenario_bulk_32(void)
{
    uint32_t i;

    setup_lpm();
    add_background_routes();
    for (i = 0; i < BURST; i++) {
        /* thirds: tbl24 hit, tbl8 hit, miss */
        if (i % 3 == 0)
            g_ips[i] = ip4(172, 17, i, 1);
        else if (i % 3 == 1)
            g_ips[i] = ip4(10, 1, 2, i);
        else
            g_ips[i] = ip4(203, 0, 113, i);
    }
    lpm_lookup_bulk(&g_lpm, g_ips, g_hops, BURST);
}

void scenario_forward_hit(void)
{
    setup_lpm();
    add_background_routes();
    build_packet(ip4(10, 1, 2, 3), 64);
    lpm_forward(&g_lpm, &g_pkt);
}

void scenario_forward_ttl_expired(void)
{
    setup_lpm();
    add_background_routes();
    build_packet(ip4(10, 1, 2, 3), 1);
    lpm_forward(&g_lpm, &g_pkt);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_lookup_tbl24_hit")) { scenario_lookup_tbl24_hit(); ran++; }
    if (all || !strcmp(s, "scenario_lookup_tbl8_hit")) { scenario_lookup_tbl8_hit(); ran++; }
    if (all || !strcmp(s, "scenario_lookup_miss")) { scenario_lookup_miss(); ran++; }
    if (all || !strcmp(s, "scenario_add_short_8")) { scenario_add_short_8(); ran++; }
    if (all || !strcmp(s, "scenario_add_long_new_group")) { scenario_add_long_new_group(); ran++; }
    if (all || !strcmp(s, "scenario_add_long_existing_group")) { scenario_add_long_existing_group(); ran++; }
    if (all || !strcmp(s, "scenario_add_short_over_groups")) { scenario_add_short_over_groups(); ran++; }
    if (all || !strcmp(s, "scenario_add_bad_depth")) { scenario_add_bad_depth(); ran++; }
    if (all || !strcmp(s, "scenario_add_many_rules")) { scenario_add_many_rules(); ran++; }
    if (all || !strcmp(s, "scenario_bulk_32")) { scenario_bulk_32(); ran++; }
    if (all || !strcmp(s, "scenario_forward_hit")) { scenario_forward_hit(); ran++; }
    if (all || !strcmp(s, "scenario_forward_ttl_expired")) { scenario_forward_ttl_expired(); ran++; }
    return ran > 0 ? 0 : 2;
}
