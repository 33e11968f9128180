/*
 * firewall.h - stateful IPv4 firewall: ordered rule list (first match
 * wins, address masks and port ranges), and a set-associative connection
 * table with a TCP state machine so replies of allowed flows pass.
 */
#ifndef FIREWALL_H
#define FIREWALL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define FW_MAX_RULES        128
#define FW_COMMENT_LEN      24
#define FW_CT_BUCKETS       256
#define FW_CT_MASK          (FW_CT_BUCKETS - 1)
#define FW_CT_WAYS          4
#define FW_PROTO_ANY        0
#define FW_PROTO_ICMP       1
#define FW_PROTO_TCP        6
#define FW_PROTO_UDP        17
#define FW_IFACE_ANY        0xff

#define FW_TCP_FIN          0x01
#define FW_TCP_SYN          0x02
#define FW_TCP_RST          0x04
#define FW_TCP_PSH          0x08
#define FW_TCP_ACK          0x10

#define FW_TIMEOUT_SYN      120000
#define FW_TIMEOUT_EST      7200000
#define FW_TIMEOUT_FIN      120000
#define FW_TIMEOUT_TW       60000
#define FW_TIMEOUT_CLOSE    10000
#define FW_TIMEOUT_UDP      30000
#define FW_TIMEOUT_ICMP     10000

enum fw_action {
    FW_ACT_DENY = 0,
    FW_ACT_ALLOW,
    FW_ACT_REJECT
};

enum fw_verdict {
    FW_DROP = 0,
    FW_PASS,
    FW_SEND_RST
};

enum fw_tcp_state {
    FW_TCP_NONE = 0,
    FW_TCP_SYN_SENT,
    FW_TCP_SYN_RECV,
    FW_TCP_ESTABLISHED,
    FW_TCP_FIN_WAIT,
    FW_TCP_CLOSE_WAIT,
    FW_TCP_LAST_ACK,
    FW_TCP_TIME_WAIT,
    FW_TCP_CLOSED,
    FW_TCP_STATE_MAX
};

enum fw_dir {
    FW_DIR_ORIG = 0,
    FW_DIR_REPLY = 1,
    FW_DIR_COUNT
};

struct fw_port_range {
    uint16_t lo;
    uint16_t hi;
};

struct fw_rule {
    uint32_t src_addr;          /* host order */
    uint32_t src_mask;
    uint32_t dst_addr;
    uint32_t dst_mask;
    struct fw_port_range sport;
    struct fw_port_range dport;
    uint8_t  proto;             /* FW_PROTO_ANY matches everything */
    uint8_t  action;            /* enum fw_action */
    uint16_t priority;          /* lower goes first */
    uint32_t enabled    : 1,
             stateful   : 1,
             log        : 1,
             syn_only   : 1,
             iface      : 8,
             reserved   : 20;
    uint64_t hits;
    uint64_t bytes;
    char     comment[FW_COMMENT_LEN];
};

struct fw_ipv4_hdr {
    uint8_t  ihl : 4,
             version : 4;
    uint8_t  tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag_off;
    uint8_t  ttl;
    uint8_t  protocol;
    uint16_t checksum;
    uint32_t src_addr;
    uint32_t dst_addr;
} __attribute__((packed));

struct fw_tcp_hdr {
    uint16_t src_port;
    uint16_t dst_port;
    uint32_t seq;
    uint32_t ack;
    uint8_t  reserved : 4,
             data_off : 4;
    uint8_t  flags;
    uint16_t window;
    uint16_t checksum;
    uint16_t urgent;
} __attribute__((packed));

struct fw_udp_hdr {
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t length;
    uint16_t checksum;
};

struct fw_icmp_hdr {
    uint8_t  type;
    uint8_t  code;
    uint16_t checksum;
    uint16_t id;
    uint16_t sequence;
};

struct fw_pkt {
    struct fw_ipv4_hdr ip;
    union {
        struct fw_tcp_hdr  tcp;
        struct fw_udp_hdr  udp;
        struct fw_icmp_hdr icmp;
    } l4;
    uint16_t len;
    uint8_t  iface;
};

/* normalized so that both directions map to the same key */
struct fw_conn_key {
    uint32_t lo_addr;
    uint32_t hi_addr;
    uint16_t lo_port;
    uint16_t hi_port;
    uint8_t  proto;
    uint8_t  pad[3];
};

struct fw_conn {
    struct fw_conn_key key;
    uint8_t  state;                 /* enum fw_tcp_state */
    uint8_t  in_use : 1,
             orig_is_lo : 1,        /* originator owns key.lo_* */
             fin_dir : 1,
             seen_reply : 1,
             spare : 4;
    uint16_t rule_id;
    uint32_t last_seq[FW_DIR_COUNT];
    uint64_t created;
    uint64_t last_seen;
    uint64_t expires;
    uint64_t packets[FW_DIR_COUNT];
    uint64_t bytes[FW_DIR_COUNT];
};

struct fw_ct_bucket {
    struct fw_conn way[FW_CT_WAYS];
};

struct fw_stats {
    uint64_t packets;
    uint64_t ct_hits;
    uint64_t ct_created;
    uint64_t ct_evicted;
    uint64_t ct_expired;
    uint64_t rule_scans;
    uint64_t default_hits;
    uint64_t dropped;
    uint64_t rejected;
    uint64_t invalid;
};

struct fw_state {
    uint32_t n_rules;
    uint8_t  default_action;
    uint8_t  strict_tcp;
    uint16_t reserved;
    struct fw_rule rules[FW_MAX_RULES];
    struct fw_stats stats;
    struct fw_ct_bucket ct[FW_CT_BUCKETS];
};

void fw_init(struct fw_state *fw, uint8_t default_action);
int  fw_add_rule(struct fw_state *fw, const struct fw_rule *rule);
int  fw_match_rules(struct fw_state *fw, const struct fw_pkt *pkt);
uint32_t fw_make_key(const struct fw_pkt *pkt, struct fw_conn_key *key,
                     bool *src_is_lo);
struct fw_conn *fw_ct_create(struct fw_state *fw, const struct fw_pkt *pkt,
                             uint16_t rule_id, uint64_t now);
struct fw_conn *fw_ct_lookup(struct fw_state *fw, const struct fw_pkt *pkt,
                             int *dir);
int  fw_process(struct fw_state *fw, struct fw_pkt *pkt, uint64_t now);
uint32_t fw_gc(struct fw_state *fw, uint64_t now);

#endif /* FIREWALL_H */
