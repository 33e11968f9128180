/*
 * maglev.c - table population, backend selection and the packet path.
 */
#include <string.h>
#include "maglev.h"

void maglev_init(struct mg_state *st, uint32_t vip, uint32_t local_addr)
{
    uint32_t i;

    memset(st, 0, sizeof(*st));
    st->vip = vip;
    st->local_addr = local_addr;
    for (i = 0; i < MG_TABLE_SIZE; i++)
        st->lookup[i] = MG_NO_BACKEND;
}

static uint32_t mg_name_hash(const char *name, uint32_t seed, uint32_t mult)
{
    uint32_t h = seed;
    uint32_t i;

    /* @perf pcv n: characters of the backend name */
    for (i = 0; i < MG_NAME_LEN && name[i] != '\0'; i++)
        h = (h ^ (uint8_t)name[i]) * mult;
    return h ^ (h >> 13);
}

int maglev_add_backend(struct mg_state *st, const char *name, uint32_t addr,
                       uint16_t port)
{
    struct mg_backend *b;
    uint32_t i;

    if (st->n_backends >= MG_MAX_BACKENDS)
        return MG_NO_BACKEND;
    b = &st->backends[st->n_backends];
    memset(b, 0, sizeof(*b));
    for (i = 0; i + 1 < MG_NAME_LEN && name[i] != '\0'; i++)
        b->name[i] = name[i];
    b->addr = addr;
    b->port = port;
    b->weight = 1;
    b->flags = MG_BE_HEALTHY;
    b->offset = mg_name_hash(b->name, 2166136261u, 16777619u) % MG_TABLE_SIZE;
    b->skip = mg_name_hash(b->name, 5381u, 33u) % (MG_TABLE_SIZE - 1) + 1;
    return (int)st->n_backends++;
}

uint32_t maglev_populate(struct mg_state *st)
{
    uint32_t filled = 0, live = 0, round, i, c;

    for (i = 0; i < MG_TABLE_SIZE; i++)
        st->lookup[i] = MG_NO_BACKEND;
    for (i = 0; i < st->n_backends; i++) {
        st->backends[i].next = 0;
        st->backends[i].assigned_slots = 0;
        if (st->backends[i].flags & MG_BE_HEALTHY)
            live++;
    }
    if (live == 0)
        goto done;

    /* @perf pcv r: rounds over the backend list until the table is full */
    for (round = 0; round < MG_TABLE_SIZE; round++) {
        for (i = 0; i < st->n_backends; i++) {
            struct mg_backend *b = &st->backends[i];

            if (!(b->flags & MG_BE_HEALTHY))
                continue;
            c = (b->offset + b->next * b->skip) % MG_TABLE_SIZE;
            /* @perf pcv k: taken slots skipped along the permutation */
            while (st->lookup[c] >= 0) {
                b->next++;
                c = (b->offset + b->next * b->skip) % MG_TABLE_SIZE;
            }
            st->lookup[c] = (int16_t)i;
            b->next++;
            b->assigned_slots++;
            if (++filled == MG_TABLE_SIZE)
                goto done;
        }
    }
done:
    st->generation++;
    st->stats.rebuilds++;
    return filled;
}

uint32_t maglev_hash_tuple(const struct mg_five_tuple *t)
{
    uint64_t h = ((uint64_t)t->src_addr << 32) | t->dst_addr;

    h ^= ((uint64_t)t->src_port << 24) ^ ((uint64_t)t->dst_port << 8) ^ t->proto;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

int maglev_pick(const struct mg_state *st, uint32_t hash)
{
    return st->lookup[hash % MG_TABLE_SIZE];
}

static bool mg_tuple_equal(const struct mg_five_tuple *a,
                           const struct mg_five_tuple *b)
{
    return a->src_addr == b->src_addr && a->dst_addr == b->dst_addr &&
           a->src_port == b->src_port && a->dst_port == b->dst_port &&
           a->proto == b->proto;
}

static struct mg_conn *mg_ct_lookup(struct mg_state *st,
                                    const struct mg_five_tuple *key,
                                    uint32_t hash)
{
    struct mg_conn_bucket *bkt = &st->ct[hash & MG_CT_BUCKET_MASK];
    uint32_t w;

    for (w = 0; w < MG_CT_WAYS; w++) {
        struct mg_conn *c = &bkt->way[w];

        if ((c->flags & MG_CONN_VALID) && c->hash == hash &&
            mg_tuple_equal(&c->key, key))
            return c;
    }
    return NULL;
}

static struct mg_conn *mg_ct_insert(struct mg_state *st,
                                    const struct mg_five_tuple *key,
                                    uint32_t hash, uint64_t now)
{
    struct mg_conn_bucket *bkt = &st->ct[hash & MG_CT_BUCKET_MASK];
    struct mg_conn *victim = &bkt->way[0];
    uint32_t w;

    for (w = 0; w < MG_CT_WAYS; w++) {
        struct mg_conn *c = &bkt->way[w];

        if (!(c->flags & MG_CONN_VALID) || c->last_seen + MG_CT_TIMEOUT <= now) {
            victim = c;
            break;
        }
        if (c->last_seen < victim->last_seen)
            victim = c;
    }
    if ((victim->flags & MG_CONN_VALID) && victim->last_seen + MG_CT_TIMEOUT > now)
        st->stats.ct_evictions++;
    if ((victim->flags & MG_CONN_VALID) && victim->backend >= 0)
        st->backends[victim->backend].active_conns--;
    victim->key = *key;
    victim->hash = hash;
    victim->flags = MG_CONN_VALID;
    victim->last_seen = now;
    victim->backend = MG_NO_BACKEND;
    return victim;
}

static uint16_t mg_ipv4_checksum(const struct mg_ipv4_hdr *ip)
{
    const uint8_t *p = (const uint8_t *)ip;
    uint32_t sum = 0;
    uint32_t i;

    for (i = 0; i < sizeof(*ip); i += 2)
        sum += (uint32_t)(p[i] | (p[i + 1] << 8));
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

static void mg_encapsulate(struct mg_state *st, struct mg_packet *pkt,
                           const struct mg_backend *b)
{
    struct mg_ipv4_hdr *o = &pkt->outer;

    o->version_ihl = 0x45;
    o->tos = pkt->inner.tos;
    o->total_len = mg_bswap16((uint16_t)(mg_bswap16(pkt->inner.total_len) +
                                         sizeof(struct mg_ipv4_hdr)));
    o->id = pkt->inner.id;
    o->frag_off = 0;
    o->ttl = MG_DEFAULT_TTL;
    o->protocol = MG_PROTO_IPIP;
    o->checksum = 0;
    o->src_addr = st->local_addr;
    o->dst_addr = b->addr;
    o->checksum = mg_ipv4_checksum(o);
    pkt->encapsulated = 1;
}

int maglev_process(struct mg_state *st, struct mg_packet *pkt, uint64_t now)
{
    struct mg_five_tuple key;
    struct mg_conn *conn;
    struct mg_backend *b;
    uint32_t hash, probe;
    int be;

    st->stats.packets++;
    if (pkt->inner.dst_addr != st->vip ||
        (pkt->inner.protocol != MG_PROTO_TCP && pkt->inner.protocol != MG_PROTO_UDP)) {
        st->stats.not_vip++;
        return MG_NO_BACKEND;
    }

    memset(&key, 0, sizeof(key));
    key.src_addr = pkt->inner.src_addr;
    key.dst_addr = pkt->inner.dst_addr;
    key.src_port = pkt->l4.src_port;
    key.dst_port = pkt->l4.dst_port;
    key.proto = pkt->inner.protocol;
    hash = maglev_hash_tuple(&key);

    conn = mg_ct_lookup(st, &key, hash);
    if (conn != NULL && conn->backend >= 0 &&
        (st->backends[conn->backend].flags & MG_BE_HEALTHY)) {
        st->stats.ct_hits++;
        be = conn->backend;
        goto forward;
    }

    if (conn == NULL) {
        st->stats.ct_misses++;
        conn = mg_ct_insert(st, &key, hash, now);
    } else {
        /* backend went away: re-pin the flow */
        st->stats.repins++;
        if (conn->backend >= 0)
            st->backends[conn->backend].active_conns--;
        conn->flags |= MG_CONN_REPINNED;
    }

    be = MG_NO_BACKEND;
    /* @perf pcv u: table slots probed past unhealthy backends */
    for (probe = 0; probe < MG_TABLE_SIZE; probe++) {
        int cand = st->lookup[(hash + probe) % MG_TABLE_SIZE];

        if (cand >= 0 && (st->backends[cand].flags & MG_BE_HEALTHY) &&
            !(st->backends[cand].flags & MG_BE_DRAINING)) {
            be = cand;
            break;
        }
    }
    conn->backend = (int16_t)be;
    if (be < 0) {
        conn->flags = 0;
        st->stats.no_backend++;
        return MG_NO_BACKEND;
    }
    st->backends[be].active_conns++;

forward:
    b = &st->backends[be];
    conn->last_seen = now;
    b->packets++;
    b->bytes += pkt->len;
    mg_encapsulate(st, pkt, b);
    return be;
}
