/*
 * kmod.h - connection tracking table in the style of a Linux kernel module:
 * intrusive hlist buckets, a gc list, per-direction tuple hashes.
 */
#ifndef KMOD_H
#define KMOD_H

#include "kcompat.h"

#define CT_HASH_BITS          8
#define CT_HASH_SIZE          (1U << CT_HASH_BITS)
#define CT_MAX_ENTRIES        512
#define CT_EXT_MAX            32
#define CT_EARLY_DROP_SCAN    8
#define CT_EVENT_VERSION      1

/* timeouts in jiffies */
#define CT_TIMEOUT_UNREPLIED  30
#define CT_TIMEOUT_REPLIED    180
#define CT_TIMEOUT_TCP_EST    7200
#define CT_TIMEOUT_TCP_CLOSE  10

#define CT_IPPROTO_ICMP       1
#define CT_IPPROTO_TCP        6
#define CT_IPPROTO_UDP        17

enum ct_dir {
    CT_DIR_ORIGINAL = 0,
    CT_DIR_REPLY    = 1,
    CT_DIR_MAX
};

enum ct_status_bits {
    CT_S_EXPECTED_BIT = 0,
    CT_S_SEEN_REPLY_BIT,
    CT_S_ASSURED_BIT,
    CT_S_CONFIRMED_BIT,
    CT_S_DYING_BIT,
    CT_S_OFFLOAD_BIT
};

#define CT_S_SEEN_REPLY   BIT(CT_S_SEEN_REPLY_BIT)
#define CT_S_ASSURED      BIT(CT_S_ASSURED_BIT)
#define CT_S_CONFIRMED    BIT(CT_S_CONFIRMED_BIT)
#define CT_S_DYING        BIT(CT_S_DYING_BIT)

enum ct_tcp_conntrack {
    CT_TCP_NONE = 0,
    CT_TCP_SYN_SENT,
    CT_TCP_ESTABLISHED,
    CT_TCP_FIN_WAIT,
    CT_TCP_CLOSE
};

enum ct_event_type {
    CT_EVENT_NEW = 1,
    CT_EVENT_UPDATE,
    CT_EVENT_DESTROY
};

enum ct_verdict {
    CT_DROP   = 0,
    CT_ACCEPT = 1
};

union ct_l4_src {
    __be16 all;
    struct { __be16 port; } tcp;
    struct { __be16 port; } udp;
    struct { __be16 id; } icmp;
};

struct ct_tuple {
    struct {
        __be32 ip;
        union ct_l4_src u;
    } src;
    struct {
        __be32 ip;
        union {
            __be16 all;
            struct { __be16 port; } tcp;
            struct { __be16 port; } udp;
            struct { u8 type, code; } icmp;
        } u;
        u8 protonum;
        u8 dir;
    } dst;
};

struct ct_tuple_hash {
    struct hlist_node hnode;
    struct ct_tuple   tuple;
};

struct ct_acct {
    u64 packets;
    u64 bytes;
};

struct ct_tcp_state {
    u32 td_end;
    u32 td_maxend;
    u32 td_maxwin;
    u8  td_scale;
    u8  flags;
};

union ct_proto {
    struct ct_tcp_state tcp[CT_DIR_MAX];
    struct { u32 stream_ts; } udp;
    struct { u16 echo_seq; u8 outstanding; } icmp;
};

struct ct_entry {
    struct ct_tuple_hash tuplehash[CT_DIR_MAX];
    unsigned long status;
    u32 timeout;                 /* absolute, jiffies */
    u32 id;
    u32 mark;
    u16 zone;
    u8  l4proto;
    u8  tcp_state;
    union ct_proto proto;
    struct list_head gc_node;    /* on gc_list while live, free_list otherwise */

    /* written on every packet: keep it away from the lookup line */
    struct ct_acct acct[CT_DIR_MAX] ____cacheline_aligned;
    u64 start_ts;
    u32 refcnt;
    u16 helper_id;
    u8  ext_len;
    u8  offloaded : 1,
        logged : 1,
        nat_done : 1,
        reserved : 5;
    u8  ext[CT_EXT_MAX];
};

/* netlink-ish event record, as it goes out on the wire */
struct ct_event_hdr {
    u8     version;
    u8     type;
    __be16 length;
    __be32 ct_id;
    __be32 orig_src;
    __be32 orig_dst;
    __be16 orig_sport;
    __be16 orig_dport;
    u8     l4proto;
    u8     tcp_state;
    __be32 status;
    __be64 packets;
    __be64 bytes;
    u8     payload[];
} __packed;

struct ct_stats {
    u64 searched;
    u64 found;
    u64 inserted;
    u64 insert_failed;
    u64 invalid;
    u64 early_drop;
    u64 expired;
    u64 gc_runs;
} ____cacheline_aligned;

struct ct_table {
    struct hlist_head buckets[CT_HASH_SIZE];
    struct list_head  free_list;
    struct list_head  gc_list;          /* oldest first */
    u32 count;
    u32 max;
    u32 seed;
    u32 next_id;
    struct ct_stats stats;
    struct ct_entry pool[CT_MAX_ENTRIES];
};

struct ct_iphdr {
    u8      ihl : 4,
            version : 4;
    u8      tos;
    __be16  tot_len;
    __be16  id;
    __be16  frag_off;
    u8      ttl;
    u8      protocol;
    __sum16 check;
    __be32  saddr;
    __be32  daddr;
};

struct ct_tcphdr {
    __be16 source;
    __be16 dest;
    __be32 seq;
    __be32 ack_seq;
    u16    res1 : 4,
           doff : 4,
           fin : 1,
           syn : 1,
           rst : 1,
           psh : 1,
           ack : 1,
           urg : 1,
           ece : 1,
           cwr : 1;
    __be16 window;
    __sum16 check;
    __be16 urg_ptr;
};

struct ct_ports {
    __be16 source;
    __be16 dest;
};

/* the slice of an sk_buff the tracker looks at */
struct ct_skb {
    u32 len;
    u32 mark;
    u16 zone;
    u8  pkt_type;
    u8  reply_seen_hint;
    struct ct_iphdr iph;
    union {
        struct ct_tcphdr tcp;
        struct ct_ports  ports;
        struct {
            u8     type;
            u8     code;
            __sum16 checksum;
            __be16 id;
            __be16 sequence;
        } icmp;
    } l4;
};

void ct_table_init(struct ct_table *t, u32 seed);
u32  ct_hash(const struct ct_table *t, const struct ct_tuple *tuple);
struct ct_entry *ct_lookup(struct ct_table *t, const struct ct_tuple *tuple,
                           enum ct_dir *dir);
struct ct_entry *ct_insert(struct ct_table *t, const struct ct_tuple *orig,
                           u32 now);
void ct_remove(struct ct_table *t, struct ct_entry *ct);
unsigned int ct_gc(struct ct_table *t, u32 now, unsigned int budget);
int  ct_in(struct ct_table *t, struct ct_skb *skb, u32 now);
int  ct_fill_event(const struct ct_entry *ct, enum ct_event_type type,
                   u8 *buf, u32 buflen);

#endif /* KMOD_H */
