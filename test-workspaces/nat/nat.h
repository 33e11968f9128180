/*
 * nat.h - VigNAT-style stateful NAT with per-flow expiry.
 *
 * Multi-byte header fields are stored in network byte order.  The host is
 * assumed to be little-endian (x86-64 / aarch64), see nat_htons().
 */
#ifndef NAT_H
#define NAT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define NAT_ETH_ALEN          6
#define NAT_ETHERTYPE_IPV4    0x0800
#define NAT_ETHERTYPE_ARP     0x0806
#define NAT_PROTO_ICMP        1
#define NAT_PROTO_TCP         6
#define NAT_PROTO_UDP         17

#define NAT_TCP_FIN           0x01
#define NAT_TCP_SYN           0x02
#define NAT_TCP_RST           0x04
#define NAT_TCP_ACK           0x10

#define NAT_FLOW_CAPACITY     1024
#define NAT_BUCKET_COUNT      256
#define NAT_BUCKET_MASK       (NAT_BUCKET_COUNT - 1)
#define NAT_NIL               (-1)
#define NAT_PORT_BASE         1024
#define NAT_MAX_PAYLOAD       64
#define NAT_DEFAULT_TIMEOUT   10000
#define NAT_LAN_DEVICE        0
#define NAT_WAN_DEVICE        1

enum nat_verdict {
    NAT_DROP        = -1,
    NAT_FORWARD_LAN = NAT_LAN_DEVICE,
    NAT_FORWARD_WAN = NAT_WAN_DEVICE
};

enum nat_drop_reason {
    NAT_DROP_NON_IP = 0,
    NAT_DROP_BAD_IP,
    NAT_DROP_BAD_PROTO,
    NAT_DROP_TABLE_FULL,
    NAT_DROP_NO_FLOW,
    NAT_DROP_REASON_MAX
};

struct nat_ether_hdr {
    uint8_t  dst[NAT_ETH_ALEN];
    uint8_t  src[NAT_ETH_ALEN];
    uint16_t ether_type;
} __attribute__((packed));

struct nat_ipv4_hdr {
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

struct nat_tcp_hdr {
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

struct nat_udp_hdr {
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t length;
    uint16_t checksum;
};

/* A received frame, already split into headers by the NIC driver. */
struct nat_packet {
    struct nat_ether_hdr eth;
    struct nat_ipv4_hdr  ip;
    union {
        struct nat_tcp_hdr tcp;
        struct nat_udp_hdr udp;
        struct {
            uint16_t src_port;
            uint16_t dst_port;
        } ports;
        uint8_t raw[sizeof(struct nat_tcp_hdr)];
    } l4;
    uint16_t device;
    uint16_t frame_len;
    uint32_t rss_hash;
    uint8_t  payload[NAT_MAX_PAYLOAD];
};

struct nat_flow_key {
    uint32_t src_addr;
    uint32_t dst_addr;
    uint16_t src_port;
    uint16_t dst_port;
    uint8_t  protocol;
    uint8_t  device;
    uint8_t  pad[2];
};

struct nat_flow_counters {
    uint64_t packets;
    uint64_t bytes;
};

struct nat_flow_entry {
    struct nat_flow_key int_key;      /* LAN side, as sent by the host    */
    struct nat_flow_key ext_key;      /* WAN side, as the reply arrives  */
    uint32_t int_hash;
    uint32_t ext_hash;
    int32_t  int_next;                /* bucket chains, index-linked      */
    int32_t  int_prev;
    int32_t  ext_next;
    int32_t  ext_prev;
    int32_t  lru_next;                /* expiry list, least recent first  */
    int32_t  lru_prev;
    uint64_t created;
    uint64_t last_seen;
    struct nat_flow_counters out;     /* LAN -> WAN */
    struct nat_flow_counters in;      /* WAN -> LAN */
    uint32_t orig_src_addr;
    uint32_t ext_addr;
    uint16_t orig_src_port;
    uint16_t ext_port;
    uint8_t  lan_mac[NAT_ETH_ALEN];
    uint8_t  tcp_flags_seen;
    uint8_t  protocol;
    uint32_t in_use      : 1;
    uint32_t is_tcp      : 1;
    uint32_t seen_syn    : 1;
    uint32_t seen_fin    : 1;
    uint32_t seen_reply  : 1;
    uint32_t refreshes   : 27;
};

struct nat_stats {
    uint64_t rx_packets;
    uint64_t tx_packets;
    uint64_t drops[NAT_DROP_REASON_MAX];
    uint64_t flows_created;
    uint64_t flows_expired;
    uint64_t flows_reset;
    uint64_t lookups;
    uint64_t chain_steps;
};

struct nat_config {
    uint32_t ext_addr;
    uint16_t port_base;
    uint16_t max_flows;
    uint64_t flow_timeout;
    uint8_t  wan_mac[NAT_ETH_ALEN];
    uint8_t  gw_mac[NAT_ETH_ALEN];
    uint8_t  lan_mac[NAT_ETH_ALEN];
};

struct nat_state {
    struct nat_config cfg;
    struct nat_stats  stats;
    int32_t  int_buckets[NAT_BUCKET_COUNT];
    int32_t  ext_buckets[NAT_BUCKET_COUNT];
    int32_t  lru_head;
    int32_t  lru_tail;
    uint32_t flow_count;
    uint32_t free_top;
    int32_t  free_stack[NAT_FLOW_CAPACITY];
    struct nat_flow_entry flows[NAT_FLOW_CAPACITY];
};

static inline uint16_t nat_htons(uint16_t x)
{
    return (uint16_t)((x >> 8) | (x << 8));
}

static inline uint32_t nat_htonl(uint32_t x)
{
    return ((x & 0xffu) << 24) | ((x & 0xff00u) << 8) |
           ((x >> 8) & 0xff00u) | (x >> 24);
}

void     nat_init(struct nat_state *st, const struct nat_config *cfg);
uint32_t nat_flow_hash(const struct nat_flow_key *key);
int32_t  nat_lookup_int(struct nat_state *st, const struct nat_flow_key *key);
int32_t  nat_lookup_ext(struct nat_state *st, const struct nat_flow_key *key);
int32_t  nat_insert(struct nat_state *st, const struct nat_flow_key *int_key,
                    uint64_t now);
void     nat_remove(struct nat_state *st, int32_t idx);
uint32_t nat_expire_flows(struct nat_state *st, uint64_t now);
void     nat_extract_key(const struct nat_packet *pkt, struct nat_flow_key *key);
int      nat_process(struct nat_state *st, struct nat_packet *pkt, uint64_t now);

#endif /* NAT_H */
