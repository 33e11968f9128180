/*
 * policer_driver.c - ground-truth scenarios for test-workspaces/policer.
 */
#include <string.h>
#include "../../test-workspaces/policer/policer.h"

#define SEC      1000000000ull
#define MSEC     1000000ull
#define BATCH    32
#define SRC_BASE 0x0a000001u

static struct pol_state g_pol;
static struct pol_pkt g_pkt;
static struct pol_pkt g_batch[BATCH];
static struct pol_bucket g_bucket;
static struct pol_flow *g_flow;

static void setup_policer(void)
{
    pol_init(&g_pol, 0x9747b28cu);
    /* 10 Mbit/s best effort, 2 Mbit/s bulk, 50 Mbit/s video, 1 Mbit/s voice */
    pol_set_profile(&g_pol, POL_CLASS_BEST_EFFORT, 1250000, 16000, 32000,
                    POL_MODE_COLOR_BLIND);
    pol_set_profile(&g_pol, POL_CLASS_BULK, 250000, 8000, 8000,
                    POL_MODE_COLOR_BLIND);
    pol_set_profile(&g_pol, POL_CLASS_VIDEO, 6250000, 64000, 64000,
                    POL_MODE_COLOR_AWARE);
    pol_set_profile(&g_pol, POL_CLASS_VOICE, 125000, 3000, 1500,
                    POL_MODE_COLOR_BLIND);
}

static void build_pkt(struct pol_pkt *p, uint32_t src, uint8_t dscp,
                      uint16_t len)
{
    memset(p, 0, sizeof(*p));
    p->ip.version = 4;
    p->ip.ihl = 5;
    p->ip.dscp = dscp;
    p->ip.ttl = 64;
    p->ip.protocol = 17;
    p->ip.total_len = (uint16_t)((len >> 8) | (len << 8));
    p->ip.checksum = 0xb1e6;
    p->ip.src_addr = src;
    p->ip.dst_addr = 0xc0000201u;
    p->len = len;
    p->pre_color = POL_GREEN;
}

/* occupies a flow slot directly (for scenarios that measure pol_flow_get) */
static void raw_flow(uint32_t pos, uint32_t addr, uint8_t cls)
{
    struct pol_flow *f = &g_pol.flows[pos & POL_FLOW_MASK];

    memset(f, 0, sizeof(*f));
    f->addr = addr;
    f->cls = cls;
    f->in_use = 1;
    f->bucket.tc = g_pol.profiles[cls].cbs;
    f->bucket.te = g_pol.profiles[cls].ebs;
    g_pol.n_flows++;
}

void scenario_new_flow_green(void)
{
    setup_policer();
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_BE, 1000);
    pol_police(&g_pol, &g_pkt, 5 * SEC);
}

void scenario_existing_green(void)
{
    setup_policer();
    pol_flow_get(&g_pol, SRC_BASE, POL_CLASS_BEST_EFFORT, 1 * SEC);
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_BE, 1000);
    pol_police(&g_pol, &g_pkt, 1 * SEC + 3 * MSEC);
}

void scenario_exceed_yellow(void)
{
    setup_policer();
    g_flow = pol_flow_get(&g_pol, SRC_BASE, POL_CLASS_BEST_EFFORT, 1 * SEC);
    g_flow->bucket.tc = 100;
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_BE, 1400);
    pol_police(&g_pol, &g_pkt, 1 * SEC);
}

void scenario_violate_red_drop(void)
{
    setup_policer();
    g_flow = pol_flow_get(&g_pol, SRC_BASE, POL_CLASS_BEST_EFFORT, 1 * SEC);
    g_flow->bucket.tc = 0;
    g_flow->bucket.te = 0;
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_BE, 1400);
    pol_police(&g_pol, &g_pkt, 1 * SEC);
}

void scenario_idle_refill_capped(void)
{
    setup_policer();
    g_flow = pol_flow_get(&g_pol, SRC_BASE, POL_CLASS_BEST_EFFORT, 0);
    g_flow->bucket.tc = 0;
    g_flow->bucket.te = 0;
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_BE, 1400);
    pol_police(&g_pol, &g_pkt, 100 * SEC);
}

void scenario_color_aware_yellow(void)
{
    setup_policer();
    g_flow = pol_flow_get(&g_pol, SRC_BASE, POL_CLASS_VIDEO, 1 * SEC);
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_AF41 + 2, 1200);
    g_pkt.pre_color = POL_YELLOW;
    pol_police(&g_pol, &g_pkt, 1 * SEC + 1 * MSEC);
}

void scenario_table_full(void)
{
    uint32_t slot, i;

    setup_policer();
    slot = pol_flow_hash(SRC_BASE, g_pol.hash_seed);
    for (i = 0; i < POL_MAX_PROBE; i++)
        raw_flow(slot + i, 0x0b000000u + i, POL_CLASS_BEST_EFFORT);
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_BE, 1000);
    pol_police(&g_pol, &g_pkt, 1 * SEC);
}

void scenario_non_ipv4(void)
{
    setup_policer();
    build_pkt(&g_pkt, SRC_BASE, POL_DSCP_BE, 1000);
    g_pkt.ip.version = 6;
    pol_police(&g_pol, &g_pkt, 1 * SEC);
}

void scenario_batch_32(void)
{
    uint32_t i;

    setup_policer();
    for (i = 0; i < BATCH; i++)
        build_pkt(&g_batch[i], SRC_BASE + (i % 8),
                  (i % 4 == 3) ? POL_DSCP_EF : POL_DSCP_BE,
                  (uint16_t)(200 + 40 * i));
    pol_police_batch(&g_pol, g_batch, BATCH, 2 * SEC);
}

void scenario_refill_partial(void)
{
    setup_policer();
    memset(&g_bucket, 0, sizeof(g_bucket));
    g_bucket.tc = 4000;
    g_bucket.te = 32000;
    g_bucket.last_ns = 1 * SEC;
    g_bucket.residue = 500;
    pol_refill(&g_bucket, &g_pol.profiles[POL_CLASS_BEST_EFFORT],
               1 * SEC + 2 * MSEC);
}

void scenario_refill_spill(void)
{
    setup_policer();
    memset(&g_bucket, 0, sizeof(g_bucket));
    g_bucket.tc = 15000;
    g_bucket.te = 1000;
    g_bucket.last_ns = 1 * SEC;
    pol_refill(&g_bucket, &g_pol.profiles[POL_CLASS_BEST_EFFORT],
               1 * SEC + 5 * MSEC);
}

void scenario_flow_get_probe(void)
{
    uint32_t slot, i;

    setup_policer();
    slot = pol_flow_hash(SRC_BASE, g_pol.hash_seed);
    for (i = 0; i < 5; i++)
        raw_flow(slot + i, 0x0b000000u + i, POL_CLASS_BULK);
    pol_flow_get(&g_pol, SRC_BASE, POL_CLASS_BEST_EFFORT, 1 * SEC);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_new_flow_green")) { scenario_new_flow_green(); ran++; }
    if (all || !strcmp(s, "scenario_existing_green")) { scenario_existing_green(); ran++; }
    if (all || !strcmp(s, "scenario_exceed_yellow")) { scenario_exceed_yellow(); ran++; }
    if (all || !strcmp(s, "scenario_violate_red_drop")) { scenario_violate_red_drop(); ran++; }
    if (all || !strcmp(s, "scenario_idle_refill_capped")) { scenario_idle_refill_capped(); ran++; }
    if (all || !strcmp(s, "scenario_color_aware_yellow")) { scenario_color_aware_yellow(); ran++; }
    if (all || !strcmp(s, "scenario_table_full")) { scenario_table_full(); ran++; }
    if (all || !strcmp(s, "scenario_non_ipv4")) { scenario_non_ipv4(); ran++; }
    if (all || !strcmp(s, "scenario_batch_32")) { scenario_batch_32(); ran++; }
    if (all || !strcmp(s, "scenario_refill_partial")) { scenario_refill_partial(); ran++; }
    if (all || !strcmp(s, "scenario_refill_spill")) { scenario_refill_spill(); ran++; }
    if (all || !strcmp(s, "scenario_flow_get_probe")) { scenario_flow_get_probe(); ran++; }
    return ran > 0 ? 0 : 2;
}
