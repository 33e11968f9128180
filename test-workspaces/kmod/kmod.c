/*
 * kmod.c - connection tracking: lookup, insert, removal, gc and the
 * per-packet hook.
 */
#include <string.h>
#include "kmod.h"

void ct_table_init(struct ct_table *t, u32 seed)
{
    unsigned int i;

    memset(t, 0, sizeof(*t));
    for (i = 0; i < CT_HASH_SIZE; i++)
        INIT_HLIST_HEAD(&t->buckets[i]);
    INIT_LIST_HEAD(&t->free_list);
    INIT_LIST_HEAD(&t->gc_list);
    for (i = 0; i < ARRAY_SIZE(t->pool); i++) {
        struct ct_entry *ct = &t->pool[i];

        INIT_HLIST_NODE(&ct->tuplehash[CT_DIR_ORIGINAL].hnode);
        INIT_HLIST_NODE(&ct->tuplehash[CT_DIR_REPLY].hnode);
        list_add_tail(&ct->gc_node, &t->free_list);
    }
    t->max = CT_MAX_ENTRIES;
    t->seed = seed;
    t->next_id = 1;
}

u32 ct_hash(const struct ct_table *t, const struct ct_tuple *tuple)
{
    u32 a = tuple->src.ip + t->seed;
    u32 b = tuple->dst.ip + tuple->dst.protonum;
    u32 c = (((u32)tuple->src.u.all << 16) | tuple->dst.u.all) ^ (t->seed >> 3);

    /* three-word avalanche */
    c ^= b; c -= rol32(b, 14);
    a ^= c; a -= rol32(c, 11);
    b ^= a; b -= rol32(a, 25);
    c ^= b; c -= rol32(b, 16);
    a ^= c; a -= rol32(c, 4);
    b ^= a; b -= rol32(a, 14);
    c ^= b; c -= rol32(b, 24);
    return hash_32(c, CT_HASH_BITS);
}

static bool ct_tuple_equal(const struct ct_tuple *a, const struct ct_tuple *b)
{
    return a->src.ip == b->src.ip && a->dst.ip == b->dst.ip &&
           a->src.u.all == b->src.u.all && a->dst.u.all == b->dst.u.all &&
           a->dst.protonum == b->dst.protonum;
}

static inline struct ct_entry *ct_tuplehash_to_entry(struct ct_tuple_hash *h)
{
    if (h->tuple.dst.dir == CT_DIR_REPLY)
        return container_of(h, struct ct_entry, tuplehash[CT_DIR_REPLY]);
    return container_of(h, struct ct_entry, tuplehash[CT_DIR_ORIGINAL]);
}

struct ct_entry *ct_lookup(struct ct_table *t, const struct ct_tuple *tuple,
                           enum ct_dir *dir)
{
    struct ct_tuple_hash *h;
    u32 bucket = ct_hash(t, tuple);

    t->stats.searched++;
    /* @perf pcv b: tuple hashes in the bucket chain */
    hlist_for_each_entry(h, &t->buckets[bucket], hnode) {
        struct ct_entry *ct;

        if (!ct_tuple_equal(&h->tuple, tuple))
            continue;
        ct = ct_tuplehash_to_entry(h);
        if (unlikely(READ_ONCE(ct->status) & CT_S_DYING))
            continue;
        *dir = (enum ct_dir)h->tuple.dst.dir;
        t->stats.found++;
        return ct;
    }
    return NULL;
}

static int ct_invert_tuple(struct ct_tuple *inv, const struct ct_tuple *orig)
{
    memset(inv, 0, sizeof(*inv));
    inv->src.ip = orig->dst.ip;
    inv->dst.ip = orig->src.ip;
    inv->dst.protonum = orig->dst.protonum;
    inv->dst.dir = CT_DIR_REPLY;

    switch (orig->dst.protonum) {
    case CT_IPPROTO_TCP:
    case CT_IPPROTO_UDP:
        inv->src.u.all = orig->dst.u.all;
        inv->dst.u.all = orig->src.u.all;
        return 0;
    case CT_IPPROTO_ICMP:
        if (orig->dst.u.icmp.type != 8)     /* only echo is tracked */
            return -1;
        inv->src.u.icmp.id = orig->src.u.icmp.id;
        inv->dst.u.icmp.type = 0;
        inv->dst.u.icmp.code = 0;
        return 0;
    default:
        return -1;
    }
}

void ct_remove(struct ct_table *t, struct ct_entry *ct)
{
    ct->status |= CT_S_DYING;
    hlist_del_init(&ct->tuplehash[CT_DIR_ORIGINAL].hnode);
    hlist_del_init(&ct->tuplehash[CT_DIR_REPLY].hnode);
    list_del(&ct->gc_node);
    list_add(&ct->gc_node, &t->free_list);
    t->count--;
}

static bool ct_early_drop(struct ct_table *t)
{
    struct ct_entry *ct, *tmp;
    unsigned int scanned = 0;

    /* @perf pcv d: oldest entries inspected for early drop */
    list_for_each_entry_safe(ct, tmp, &t->gc_list, gc_node) {
        if (++scanned > CT_EARLY_DROP_SCAN)
            break;
        if (ct->status & CT_S_ASSURED)
            continue;
        ct_remove(t, ct);
        t->stats.early_drop++;
        return true;
    }
    return false;
}

struct ct_entry *ct_insert(struct ct_table *t, const struct ct_tuple *orig,
                           u32 now)
{
    struct ct_tuple reply;
    struct ct_entry *ct;
    u32 h;

    if (ct_invert_tuple(&reply, orig) < 0)
        goto err_inval;
    if (unlikely(list_empty(&t->free_list)) && !ct_early_drop(t))
        goto err_full;

    ct = list_first_entry(&t->free_list, struct ct_entry, gc_node);
    list_del(&ct->gc_node);
    memset(ct, 0, sizeof(*ct));

    ct->tuplehash[CT_DIR_ORIGINAL].tuple = *orig;
    ct->tuplehash[CT_DIR_ORIGINAL].tuple.dst.dir = CT_DIR_ORIGINAL;
    ct->tuplehash[CT_DIR_REPLY].tuple = reply;
    ct->l4proto = orig->dst.protonum;
    ct->id = t->next_id++;
    ct->refcnt = 1;
    ct->start_ts = now;
    ct->status = CT_S_CONFIRMED;
    WRITE_ONCE(ct->timeout, now + CT_TIMEOUT_UNREPLIED);

    h = ct_hash(t, orig);
    hlist_add_head(&ct->tuplehash[CT_DIR_ORIGINAL].hnode, &t->buckets[h]);
    h = ct_hash(t, &reply);
    hlist_add_head(&ct->tuplehash[CT_DIR_REPLY].hnode, &t->buckets[h]);
    list_add_tail(&ct->gc_node, &t->gc_list);
    t->count++;
    t->stats.inserted++;
    return ct;

err_full:
    t->stats.insert_failed++;
    return NULL;
err_inval:
    t->stats.invalid++;
    return NULL;
}

unsigned int ct_gc(struct ct_table *t, u32 now, unsigned int budget)
{
    struct ct_entry *ct, *tmp;
    unsigned int scanned = 0, expired = 0;

    t->stats.gc_runs++;
    /* @perf pcv g: live entries visited by gc (at most budget) */
    list_for_each_entry_safe(ct, tmp, &t->gc_list, gc_node) {
        if (scanned++ >= budget)
            break;
        if (!time_after_eq(now, READ_ONCE(ct->timeout)))
            continue;
        ct_remove(t, ct);
        expired++;
    }
    t->stats.expired += expired;
    return expired;
}

static int ct_get_tuple(const struct ct_skb *skb, struct ct_tuple *tuple)
{
    const struct ct_iphdr *iph = &skb->iph;

    if (iph->version != 4 || iph->ihl < 5)
        return -1;
    if (iph->frag_off & cpu_to_be16(0x1fff))  /* non-first fragment */
        return -1;
    memset(tuple, 0, sizeof(*tuple));
    tuple->src.ip = iph->saddr;
    tuple->dst.ip = iph->daddr;
    tuple->dst.protonum = iph->protocol;

    switch (iph->protocol) {
    case CT_IPPROTO_TCP:
        if (skb->l4.tcp.doff < 5)
            return -1;
        /* fall through */
    case CT_IPPROTO_UDP:
        tuple->src.u.all = skb->l4.ports.source;
        tuple->dst.u.all = skb->l4.ports.dest;
        return 0;
    case CT_IPPROTO_ICMP:
        tuple->src.u.icmp.id = skb->l4.icmp.id;
        tuple->dst.u.icmp.type = skb->l4.icmp.type;
        tuple->dst.u.icmp.code = skb->l4.icmp.code;
        return 0;
    default:
        return -1;
    }
}

static int ct_tcp_packet(struct ct_entry *ct, const struct ct_tcphdr *th,
                         enum ct_dir dir, u32 now)
{
    struct ct_tcp_state *s = &ct->proto.tcp[dir];
    u32 end = be32_to_cpu(th->seq) + th->syn + th->fin;
    u32 win = be16_to_cpu(th->window);
    u32 timeout;

    if (th->rst) {
        ct->tcp_state = CT_TCP_CLOSE;
        timeout = CT_TIMEOUT_TCP_CLOSE;
        goto out;
    }
    switch (ct->tcp_state) {
    case CT_TCP_NONE:
        if (!th->syn || th->ack)
            return CT_DROP;
        ct->tcp_state = CT_TCP_SYN_SENT;
        break;
    case CT_TCP_SYN_SENT:
        if (dir == CT_DIR_REPLY && th->syn && th->ack) {
            ct->tcp_state = CT_TCP_ESTABLISHED;
            ct->status |= CT_S_ASSURED;
        }
        break;
    case CT_TCP_ESTABLISHED:
        if (th->fin) {
            ct->tcp_state = CT_TCP_FIN_WAIT;
            s->flags |= 1;
        }
        break;
    case CT_TCP_FIN_WAIT:
        if (th->fin)
            s->flags |= 1;
        if ((ct->proto.tcp[CT_DIR_ORIGINAL].flags & 1) &&
            (ct->proto.tcp[CT_DIR_REPLY].flags & 1))
            ct->tcp_state = CT_TCP_CLOSE;
        break;
    case CT_TCP_CLOSE:
        if (dir == CT_DIR_ORIGINAL && th->syn && !th->ack)
            ct->tcp_state = CT_TCP_SYN_SENT;   /* port reuse */
        break;
    default:
        return CT_DROP;
    }
    timeout = ct->tcp_state == CT_TCP_ESTABLISHED ? CT_TIMEOUT_TCP_EST :
              ct->tcp_state == CT_TCP_CLOSE ? CT_TIMEOUT_TCP_CLOSE :
              CT_TIMEOUT_UNREPLIED;
out:
    if ((s32)(end - s->td_end) > 0 || s->td_end == 0)
        s->td_end = end;
    if (win > s->td_maxwin)
        s->td_maxwin = win;
    WRITE_ONCE(ct->timeout, now + timeout);
    return CT_ACCEPT;
}

int ct_in(struct ct_table *t, struct ct_skb *skb, u32 now)
{
    struct ct_tuple tuple;
    struct ct_entry *ct;
    struct ct_acct *acct;
    enum ct_dir dir = CT_DIR_ORIGINAL;

    if (unlikely(ct_get_tuple(skb, &tuple) < 0)) {
        t->stats.invalid++;
        return CT_ACCEPT;             /* untracked: the filter decides */
    }
    ct = ct_lookup(t, &tuple, &dir);
    if (!ct) {
        if (tuple.dst.protonum == CT_IPPROTO_TCP &&
            !(skb->l4.tcp.syn && !skb->l4.tcp.ack)) {
            t->stats.invalid++;
            return CT_DROP;
        }
        ct = ct_insert(t, &tuple, now);
        if (unlikely(!ct))
            return CT_DROP;
    }

    acct = &ct->acct[dir];
    WRITE_ONCE(acct->packets, READ_ONCE(acct->packets) + 1);
    WRITE_ONCE(acct->bytes, READ_ONCE(acct->bytes) + skb->len);
    skb->mark = ct->mark;
    if (dir == CT_DIR_REPLY && !(ct->status & CT_S_SEEN_REPLY))
        ct->status |= CT_S_SEEN_REPLY;

    if (ct->l4proto == CT_IPPROTO_TCP)
        return ct_tcp_packet(ct, &skb->l4.tcp, dir, now);

    if ((ct->status & CT_S_SEEN_REPLY) &&
        ct->acct[CT_DIR_ORIGINAL].packets + ct->acct[CT_DIR_REPLY].packets > 2)
        ct->status |= CT_S_ASSURED;
    WRITE_ONCE(ct->timeout, now + ((ct->status & CT_S_SEEN_REPLY) ?
                                   CT_TIMEOUT_REPLIED : CT_TIMEOUT_UNREPLIED));
    return CT_ACCEPT;
}

int ct_fill_event(const struct ct_entry *ct, enum ct_event_type type,
                  u8 *buf, u32 buflen)
{
    struct ct_event_hdr *ev = (struct ct_event_hdr *)buf;
    const struct ct_tuple *orig = &ct->tuplehash[CT_DIR_ORIGINAL].tuple;
    u32 ext_len = min_t(u32, ct->ext_len, CT_EXT_MAX);
    u32 need = (u32)sizeof(*ev) + ext_len;
    u32 i;

    if (unlikely(buflen < need))
        return -1;
    ev->version = CT_EVENT_VERSION;
    ev->type = (u8)type;
    ev->length = cpu_to_be16((u16)need);
    ev->ct_id = cpu_to_be32(ct->id);
    ev->orig_src = orig->src.ip;
    ev->orig_dst = orig->dst.ip;
    ev->orig_sport = orig->src.u.all;
    ev->orig_dport = orig->dst.u.all;
    ev->l4proto = ct->l4proto;
    ev->tcp_state = ct->tcp_state;
    ev->status = cpu_to_be32((u32)READ_ONCE(ct->status));
    ev->packets = cpu_to_be64(ct->acct[CT_DIR_ORIGINAL].packets +
                              ct->acct[CT_DIR_REPLY].packets);
    ev->bytes = cpu_to_be64(ct->acct[CT_DIR_ORIGINAL].bytes +
                            ct->acct[CT_DIR_REPLY].bytes);
    /* @perf pcv x: extension bytes copied */
    for (i = 0; i < ext_len; i++)
        ev->payload[i] = ct->ext[i];
    return (int)need;
}
