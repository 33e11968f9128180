/*
 * xdp.c - header parsing with eBPF-style bounds checks and the program
 * entry point.
 */
#include <string.h>
#include "xdp.h"

static struct xdp_config config_values[1];
static __u32             blocklist_keys[BLOCKLIST_ENTRIES];
static __u64             blocklist_values[BLOCKLIST_ENTRIES];
static __u8              blocklist_state[BLOCKLIST_ENTRIES];
static struct flow_key   flow_keys[FLOW_MAP_ENTRIES];
static struct flow_stats flow_values[FLOW_MAP_ENTRIES];
static __u8              flow_state[FLOW_MAP_ENTRIES];
static struct datarec    stats_values[XDP_ACTION_MAX];

struct bpf_map config_map = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(struct xdp_config),
    .max_entries = 1,
    .values = (__u8 *)config_values,
};

struct bpf_map blocklist_map = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = BLOCKLIST_ENTRIES,
    .keys = (__u8 *)blocklist_keys,
    .values = (__u8 *)blocklist_values,
    .slot_state = blocklist_state,
};

struct bpf_map flow_map = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(struct flow_key),
    .value_size = sizeof(struct flow_stats),
    .max_entries = FLOW_MAP_ENTRIES,
    .keys = (__u8 *)flow_keys,
    .values = (__u8 *)flow_values,
    .slot_state = flow_state,
};

struct bpf_map stats_map = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(struct datarec),
    .max_entries = XDP_ACTION_MAX,
    .values = (__u8 *)stats_values,
};

void xdp_maps_reset(void)
{
    memset(config_values, 0, sizeof(config_values));
    memset(blocklist_state, 0, sizeof(blocklist_state));
    memset(flow_state, 0, sizeof(flow_state));
    memset(stats_values, 0, sizeof(stats_values));
    blocklist_map.n_used = 0;
    flow_map.n_used = 0;
}

static bool proto_is_vlan(__u16 h_proto)
{
    return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

/* Returns the inner EtherType (network order) or -1. */
static int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
                        struct ethhdr **ethhdr, __u16 *vlan_id)
{
    struct ethhdr *eth = nh->pos;
    struct vlan_hdr *vlh;
    __u16 h_proto;
    int i;

    if ((void *)(eth + 1) > data_end)
        return -1;
    *ethhdr = eth;
    h_proto = eth->h_proto;
    vlh = (struct vlan_hdr *)(eth + 1);

    /* @perf pcv v: VLAN tags */
    for (i = 0; i < VLAN_MAX_DEPTH; i++) {
        if (!proto_is_vlan(h_proto))
            break;
        if ((void *)(vlh + 1) > data_end)
            return -1;
        if (i == 0)
            *vlan_id = bpf_ntohs(vlh->h_vlan_TCI) & VLAN_VID_MASK;
        h_proto = vlh->h_vlan_encapsulated_proto;
        vlh++;
    }
    nh->pos = vlh;
    return h_proto;
}

static int parse_iphdr(struct hdr_cursor *nh, void *data_end,
                       struct iphdr **iphdr)
{
    struct iphdr *iph = nh->pos;
    int hdrsize;

    if ((void *)(iph + 1) > data_end)
        return -1;
    if (iph->version != 4)
        return -1;
    hdrsize = iph->ihl * 4;
    if (hdrsize < (int)sizeof(*iph))
        return -1;
    if ((__u8 *)iph + hdrsize > (__u8 *)data_end)
        return -1;
    nh->pos = (__u8 *)iph + hdrsize;
    *iphdr = iph;
    return iph->protocol;
}

static int parse_ip6hdr(struct hdr_cursor *nh, void *data_end,
                        struct ipv6hdr **ip6hdr)
{
    struct ipv6hdr *ip6h = nh->pos;
    struct ipv6_opt_hdr *opt;
    struct ipv6_frag_hdr *frag;
    __u8 nexthdr;
    int i;

    if ((void *)(ip6h + 1) > data_end)
        return -1;
    if (ip6h->version != 6)
        return -1;
    *ip6hdr = ip6h;
    nh->pos = ip6h + 1;
    nexthdr = ip6h->nexthdr;

    /* @perf pcv x: IPv6 extension headers skipped */
    for (i = 0; i < IPV6_EXT_MAX_CHAIN; i++) {
        switch (nexthdr) {
        case IPPROTO_HOPOPTS:
        case IPPROTO_ROUTING:
        case IPPROTO_DSTOPTS:
            opt = nh->pos;
            if ((void *)(opt + 1) > data_end)
                return -1;
            nexthdr = opt->nexthdr;
            nh->pos = (__u8 *)opt + ((opt->hdrlen + 1) << 3);
            break;
        case IPPROTO_FRAGMENT:
            frag = nh->pos;
            if ((void *)(frag + 1) > data_end)
                return -1;
            if (frag->frag_off & bpf_htons(0xfff8))
                return -1;              /* not the first fragment */
            nexthdr = frag->nexthdr;
            nh->pos = frag + 1;
            break;
        default:
            return nexthdr;
        }
    }
    return -1;
}

static int parse_tcphdr(struct hdr_cursor *nh, void *data_end,
                        struct tcphdr **tcphdr)
{
    struct tcphdr *h = nh->pos;
    int len;

    if ((void *)(h + 1) > data_end)
        return -1;
    len = h->doff * 4;
    if (len < (int)sizeof(*h))
        return -1;
    if ((__u8 *)h + len > (__u8 *)data_end)
        return -1;
    nh->pos = (__u8 *)h + len;
    *tcphdr = h;
    return len;
}

static int parse_udphdr(struct hdr_cursor *nh, void *data_end,
                        struct udphdr **udphdr)
{
    struct udphdr *h = nh->pos;
    int len;

    if ((void *)(h + 1) > data_end)
        return -1;
    nh->pos = h + 1;
    *udphdr = h;
    len = bpf_ntohs(h->len) - (int)sizeof(*h);
    return len < 0 ? -1 : len;
}

static void swap_src_dst_mac(struct ethhdr *eth)
{
    unsigned char tmp[ETH_ALEN];

    memcpy(tmp, eth->h_source, ETH_ALEN);
    memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
    memcpy(eth->h_dest, tmp, ETH_ALEN);
}

static __u32 xdp_stats_record_action(struct xdp_md *ctx, __u32 action)
{
    struct datarec *rec;

    if (action >= XDP_ACTION_MAX)
        return XDP_ABORTED;
    rec = bpf_map_lookup_elem(&stats_map, &action);
    if (!rec)
        return XDP_ABORTED;
    rec->rx_packets++;
    rec->rx_bytes += (__u64)((__u8 *)ctx->data_end - (__u8 *)ctx->data);
    return action;
}

int xdp_prog_main(struct xdp_md *ctx)
{
    void *data_end = ctx->data_end;
    void *data = ctx->data;
    __u64 pkt_len = (__u64)((__u8 *)data_end - (__u8 *)data);
    struct hdr_cursor nh;
    struct ethhdr *eth;
    struct iphdr *iph = NULL;
    struct ipv6hdr *ip6h = NULL;
    struct tcphdr *tcph;
    struct udphdr *udph = NULL;
    struct flow_key key;
    struct flow_stats fresh;
    struct flow_stats *fs;
    struct xdp_config *cfg;
    __u64 *blocked;
    __u32 cfg_key = 0;
    __u32 action = XDP_PASS;
    __u8 tcp_flags = 0;
    int eth_type, ip_type;

    memset(&key, 0, sizeof(key));
    nh.pos = data;
    eth_type = parse_ethhdr(&nh, data_end, &eth, &key.vlan_id);
    if (eth_type < 0) {
        action = XDP_DROP;
        goto out;
    }
    cfg = bpf_map_lookup_elem(&config_map, &cfg_key);
    if (unlikely(!cfg)) {
        action = XDP_ABORTED;
        goto out;
    }

    if (eth_type == bpf_htons(ETH_P_IP)) {
        ip_type = parse_iphdr(&nh, data_end, &iph);
        if (ip_type < 0) {
            action = XDP_DROP;
            goto out;
        }
        blocked = bpf_map_lookup_elem(&blocklist_map, &iph->saddr);
        if (blocked) {
            (*blocked)++;
            action = XDP_DROP;
            goto out;
        }
        if (cfg->drop_fragments && (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))) {
            action = XDP_DROP;
            goto out;
        }
        key.family = XDP_FAMILY_INET;
        key.v4.saddr = iph->saddr;
        key.v4.daddr = iph->daddr;
    } else if (eth_type == bpf_htons(ETH_P_IPV6)) {
        ip_type = parse_ip6hdr(&nh, data_end, &ip6h);
        if (ip_type < 0) {
            action = XDP_DROP;
            goto out;
        }
        key.family = XDP_FAMILY_INET6;
        key.v6.saddr = ip6h->saddr;
        key.v6.daddr = ip6h->daddr;
    } else {
        goto out;                       /* ARP, LLDP, ...: up the stack */
    }

    switch (ip_type) {
    case IPPROTO_TCP:
        if (parse_tcphdr(&nh, data_end, &tcph) < 0) {
            action = XDP_DROP;
            goto out;
        }
        if (tcph->syn && tcph->fin) {
            action = XDP_DROP;
            goto out;
        }
        key.sport = tcph->source;
        key.dport = tcph->dest;
        tcp_flags = (__u8)(tcph->fin | tcph->syn << 1 | tcph->rst << 2 |
                           tcph->psh << 3 | tcph->ack << 4 | tcph->urg << 5);
        break;
    case IPPROTO_UDP:
        if (parse_udphdr(&nh, data_end, &udph) < 0) {
            action = XDP_DROP;
            goto out;
        }
        key.sport = udph->source;
        key.dport = udph->dest;
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        break;
    default:
        goto out;
    }
    key.proto = (__u8)ip_type;

    fs = bpf_map_lookup_elem(&flow_map, &key);
    if (fs) {
        fs->packets++;
        fs->bytes += pkt_len;
        fs->tcp_flags |= tcp_flags;
    } else {
        memset(&fresh, 0, sizeof(fresh));
        fresh.packets = 1;
        fresh.bytes = pkt_len;
        fresh.tcp_flags = tcp_flags;
        fresh.first_seen_ifindex = ctx->ingress_ifindex;
        if (bpf_map_update_elem(&flow_map, &key, &fresh, BPF_NOEXIST) < 0 &&
            (cfg->flags & XDP_CFG_DROP_ON_FULL)) {
            action = XDP_DROP;
            goto out;
        }
    }

    if (udph && cfg->enable_tx && udph->dest == bpf_htons(cfg->echo_port)) {
        __be16 port = udph->source;

        udph->source = udph->dest;
        udph->dest = port;
        if (iph) {
            __be32 addr = iph->saddr;

            iph->saddr = iph->daddr;
            iph->daddr = addr;
        } else {
            struct in6_addr addr6 = ip6h->saddr;

            ip6h->saddr = ip6h->daddr;
            ip6h->daddr = addr6;
        }
        swap_src_dst_mac(eth);
        action = XDP_TX;
    }
out:
    return (int)xdp_stats_record_action(ctx, action);
}
