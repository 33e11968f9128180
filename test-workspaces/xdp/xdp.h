/*
 * xdp.h - XDP flow accounting / filtering program: Ethernet with up to two
 * VLAN tags, IPv4 or IPv6 (with extension headers), TCP/UDP/ICMP, a source
 * blocklist, a per-flow statistics map and a UDP echo reflector (XDP_TX).
 */
#ifndef XDP_H
#define XDP_H

#include "bpf_compat.h"

#define ETH_ALEN              6
#define ETH_P_IP              0x0800
#define ETH_P_ARP             0x0806
#define ETH_P_IPV6            0x86DD
#define ETH_P_8021Q           0x8100
#define ETH_P_8021AD          0x88A8
#define VLAN_MAX_DEPTH        2
#define VLAN_VID_MASK         0x0fff
#define IPV6_EXT_MAX_CHAIN    4

#define IPPROTO_HOPOPTS       0
#define IPPROTO_ICMP          1
#define IPPROTO_TCP           6
#define IPPROTO_UDP           17
#define IPPROTO_ROUTING       43
#define IPPROTO_FRAGMENT      44
#define IPPROTO_ICMPV6        58
#define IPPROTO_DSTOPTS       60

#define IP_MF                 0x2000
#define IP_OFFSET             0x1fff
#define XDP_FAMILY_INET       2
#define XDP_FAMILY_INET6      10

#define FLOW_MAP_ENTRIES      64
#define BLOCKLIST_ENTRIES     32
#define XDP_CFG_DROP_ON_FULL  0x1u

struct ethhdr {
    unsigned char h_dest[ETH_ALEN];
    unsigned char h_source[ETH_ALEN];
    __be16        h_proto;
} __attribute__((packed));

struct vlan_hdr {
    __be16 h_vlan_TCI;
    __be16 h_vlan_encapsulated_proto;
};

struct iphdr {
    __u8    ihl : 4,
            version : 4;
    __u8    tos;
    __be16  tot_len;
    __be16  id;
    __be16  frag_off;
    __u8    ttl;
    __u8    protocol;
    __sum16 check;
    __be32  saddr;
    __be32  daddr;
};

struct in6_addr {
    union {
        __u8   u6_addr8[16];
        __be16 u6_addr16[8];
        __be32 u6_addr32[4];
    } in6_u;
};

struct ipv6hdr {
    __u8   priority : 4,
           version : 4;
    __u8   flow_lbl[3];
    __be16 payload_len;
    __u8   nexthdr;
    __u8   hop_limit;
    struct in6_addr saddr;
    struct in6_addr daddr;
};

/* hop-by-hop, routing and destination options share this prefix */
struct ipv6_opt_hdr {
    __u8 nexthdr;
    __u8 hdrlen;              /* in 8-octet units, not counting the first */
};

struct ipv6_frag_hdr {
    __u8   nexthdr;
    __u8   reserved;
    __be16 frag_off;
    __be32 identification;
};

struct tcphdr {
    __be16 source;
    __be16 dest;
    __be32 seq;
    __be32 ack_seq;
    __u16  res1 : 4,
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

struct udphdr {
    __be16  source;
    __be16  dest;
    __be16  len;
    __sum16 check;
};

struct hdr_cursor {
    void *pos;
};

struct flow_key {
    union {
        struct {
            __be32 saddr;
            __be32 daddr;
        } v4;
        struct {
            struct in6_addr saddr;
            struct in6_addr daddr;
        } v6;
    };
    __be16 sport;
    __be16 dport;
    __u8   proto;
    __u8   family;
    __u16  vlan_id;
};

struct flow_stats {
    __u64 packets;
    __u64 bytes;
    __u32 first_seen_ifindex;
    __u8  tcp_flags;
    __u8  pad[3];
};

struct datarec {
    __u64 rx_packets;
    __u64 rx_bytes;
};

struct xdp_config {
    __u16 echo_port;          /* host order */
    __u8  enable_tx;
    __u8  drop_fragments;
    __u32 flags;
};

extern struct bpf_map config_map;
extern struct bpf_map blocklist_map;
extern struct bpf_map flow_map;
extern struct bpf_map stats_map;

void xdp_maps_reset(void);
int  xdp_prog_main(struct xdp_md *ctx);

#endif /* XDP_H */
