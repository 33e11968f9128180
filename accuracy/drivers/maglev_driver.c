/*
 * maglev_driver.c - ground-truth scenarios for test-workspaces/maglev.
 */
#include <string.h>
#include "../../test-workspaces/maglev/maglev.h"

#define VIP         0xc6336450u       /* 198.51.100.80 */
#define LOCAL_ADDR  0x0a0000feu
#define CLIENT      0xcb007105u

static struct mg_state g_lb;
static struct mg_packet g_pkt;
static int g_pick;

static const char *const g_names[MG_MAX_BACKENDS] = {
    "web-00.pool-a.dc1", "web-01.pool-a.dc1", "web-02.pool-a.dc1",
    "web-03.pool-a.dc1", "web-04.pool-b.dc1", "web-05.pool-b.dc1",
    "web-06.pool-b.dc1", "web-07.pool-b.dc1", "api-00.pool-c.dc2",
    "api-01.pool-c.dc2", "api-02.pool-c.dc2", "api-03.pool-c.dc2",
    "api-04.pool-d.dc2", "api-05.pool-d.dc2", "api-06.pool-d.dc2",
    "api-07.pool-d.dc2"
};

static void setup_lb(uint32_t n_backends)
{
    uint32_t i;

    maglev_init(&g_lb, VIP, LOCAL_ADDR);
    for (i = 0; i < n_backends; i++)
        maglev_add_backend(&g_lb, g_names[i], 0x0a0a0001u + i, 8080);
}

static void build_pkt(uint32_t src, uint16_t sport, uint32_t dst, uint8_t proto)
{
    memset(&g_pkt, 0, sizeof(g_pkt));
    g_pkt.inner.version_ihl = 0x45;
    g_pkt.inner.ttl = 64;
    g_pkt.inner.protocol = proto;
    g_pkt.inner.total_len = mg_bswap16(60);
    g_pkt.inner.id = mg_bswap16(0x1234);
    g_pkt.inner.src_addr = src;
    g_pkt.inner.dst_addr = dst;
    g_pkt.l4.src_port = mg_bswap16(sport);
    g_pkt.l4.dst_port = mg_bswap16(80);
    g_pkt.len = 74;
}

static uint32_t tuple_hash(uint32_t src, uint16_t sport)
{
    struct mg_five_tuple key;

    memset(&key, 0, sizeof(key));
    key.src_addr = src;
    key.dst_addr = VIP;
    key.src_port = mg_bswap16(sport);
    key.dst_port = mg_bswap16(80);
    key.proto = MG_PROTO_TCP;
    return maglev_hash_tuple(&key);
}

/* writes a live connection (src:sport -> VIP:80/tcp) into its bucket */
static void raw_conn(uint32_t src, uint16_t sport, uint32_t way,
                     int16_t backend, uint64_t last_seen)
{
    uint32_t hash = tuple_hash(src, sport);
    struct mg_conn *c = &g_lb.ct[hash & MG_CT_BUCKET_MASK].way[way];

    memset(c, 0, sizeof(*c));
    c->key.src_addr = src;
    c->key.dst_addr = VIP;
    c->key.src_port = mg_bswap16(sport);
    c->key.dst_port = mg_bswap16(80);
    c->key.proto = MG_PROTO_TCP;
    c->hash = hash;
    c->backend = backend;
    c->flags = MG_CONN_VALID;
    c->last_seen = last_seen;
    g_lb.backends[backend].active_conns++;
}

void scenario_populate_3(void)
{
    setup_lb(3);
    maglev_populate(&g_lb);
}

void scenario_populate_16(void)
{
    setup_lb(MG_MAX_BACKENDS);
    maglev_populate(&g_lb);
}

void scenario_populate_partial_health(void)
{
    setup_lb(8);
    g_lb.backends[1].flags = 0;
    g_lb.backends[6].flags = 0;
    maglev_populate(&g_lb);
}

void scenario_add_backend(void)
{
    maglev_init(&g_lb, VIP, LOCAL_ADDR);
    maglev_add_backend(&g_lb, "cache-frontend-17.edge.example", 0x0a0a0011u, 443);
}

void scenario_pick(void)
{
    setup_lb(4);
    maglev_populate(&g_lb);
    g_pick = maglev_pick(&g_lb, tuple_hash(CLIENT, 40000));
}

void scenario_process_not_vip(void)
{
    setup_lb(4);
    maglev_populate(&g_lb);
    build_pkt(CLIENT, 40000, 0x08080808u, MG_PROTO_TCP);
    maglev_process(&g_lb, &g_pkt, 1000);
}

void scenario_process_new_conn(void)
{
    setup_lb(4);
    maglev_populate(&g_lb);
    build_pkt(CLIENT, 40000, VIP, MG_PROTO_TCP);
    maglev_process(&g_lb, &g_pkt, 1000);
}

void scenario_process_ct_hit(void)
{
    setup_lb(4);
    maglev_populate(&g_lb);
    raw_conn(CLIENT, 40000, 0, 2, 900);
    build_pkt(CLIENT, 40000, VIP, MG_PROTO_TCP);
    maglev_process(&g_lb, &g_pkt, 1000);
}

void scenario_process_repin_unhealthy(void)
{
    int16_t be;

    setup_lb(4);
    maglev_populate(&g_lb);
    be = g_lb.lookup[tuple_hash(CLIENT, 40000) % MG_TABLE_SIZE];
    raw_conn(CLIENT, 40000, 0, be, 900);
    g_lb.backends[be].flags = 0;         /* failed, table not rebuilt yet */
    build_pkt(CLIENT, 40000, VIP, MG_PROTO_TCP);
    maglev_process(&g_lb, &g_pkt, 1000);
}

void scenario_process_all_unhealthy(void)
{
    uint32_t i;

    setup_lb(4);
    maglev_populate(&g_lb);
    for (i = 0; i < 4; i++)
        g_lb.backends[i].flags = 0;
    build_pkt(CLIENT, 40000, VIP, MG_PROTO_TCP);
    maglev_process(&g_lb, &g_pkt, 1000);
}

void scenario_process_bucket_evict(void)
{
    uint32_t bucket = tuple_hash(CLIENT, 40000) & MG_CT_BUCKET_MASK;
    uint32_t way = 0;
    uint16_t sport;

    setup_lb(4);
    maglev_populate(&g_lb);
    /* four other live connections that share the bucket */
    for (sport = 1024; sport < 65000 && way < MG_CT_WAYS; sport++) {
        if (sport == 40000 || (tuple_hash(CLIENT, sport) & MG_CT_BUCKET_MASK) != bucket)
            continue;
        raw_conn(CLIENT, sport, way, (int16_t)(way % 4), 500 + way);
        way++;
    }
    build_pkt(CLIENT, 40000, VIP, MG_PROTO_TCP);
    maglev_process(&g_lb, &g_pkt, 1000);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_populate_3")) { scenario_populate_3(); ran++; }
    if (all || !strcmp(s, "scenario_populate_16")) { scenario_populate_16(); ran++; }
    if (all || !strcmp(s, "scenario_populate_partial_health")) { scenario_populate_partial_health(); ran++; }
    if (all || !strcmp(s, "scenario_add_backend")) { scenario_add_backend(); ran++; }
    if (all || !strcmp(s, "scenario_pick")) { scenario_pick(); ran++; }
    if (all || !strcmp(s, "scenario_process_not_vip")) { scenario_process_not_vip(); ran++; }
    if (all || !strcmp(s, "scenario_process_new_conn")) { scenario_process_new_conn(); ran++; }
    if (all || !strcmp(s, "scenario_process_ct_hit")) { scenario_process_ct_hit(); ran++; }
    if (all || !strcmp(s, "scenario_process_repin_unhealthy")) { scenario_process_repin_unhealthy(); ran++; }
    if (all || !strcmp(s, "scenario_process_all_unhealthy")) { scenario_process_all_unhealthy(); ran++; }
    if (all || !strcmp(s, "scenario_process_bucket_evict")) { scenario_process_bucket_evict(); ran++; }
    return ran > 0 ? 0 : 2;
}
