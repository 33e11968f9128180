/*
 * prog.c - an XDP program written the way libbpf programs are, with the
 * macros already expanded (no preprocessor is needed to read it): helpers
 * are pointers holding their helper number, maps are BTF-style
 * definitions in the ".maps" section or a legacy struct bpf_map_def.
 */

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

enum bpf_map_type {
    BPF_MAP_TYPE_UNSPEC = 0,
    BPF_MAP_TYPE_HASH = 1,
    BPF_MAP_TYPE_ARRAY = 2,
    BPF_MAP_TYPE_PROG_ARRAY = 3,
    BPF_MAP_TYPE_PERCPU_ARRAY = 6,
    BPF_MAP_TYPE_LRU_HASH = 9,
    BPF_MAP_TYPE_LPM_TRIE = 11,
    BPF_MAP_TYPE_DEVMAP = 14,
};

enum xdp_action { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT };

struct xdp_md {
    __u32 data;
    __u32 data_end;
    __u32 data_meta;
    __u32 ingress_ifindex;
    __u32 rx_queue_index;
    __u32 egress_ifindex;
};

struct ethhdr {
    unsigned char h_dest[6];
    unsigned char h_source[6];
    __be16 h_proto;
};

struct iphdr {
    __u8 ihl_version;
    __u8 tos;
    __be16 tot_len;
    __be16 id;
    __be16 frag_off;
    __u8 ttl;
    __u8 protocol;
    __u16 check;
    __be32 saddr;
    __be32 daddr;
};

struct bpf_map_def {
    unsigned int type;
    unsigned int key_size;
    unsigned int value_size;
    unsigned int max_entries;
    unsigned int map_flags;
};

/* bpf_helper_defs.h, as libbpf generates it (a few helpers). */
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *) 2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *) 3;
static __u64 (*bpf_ktime_get_ns)(void) = (void *) 5;
static __u32 (*bpf_get_prandom_u32)(void) = (void *) 7;
static __u32 (*bpf_get_smp_processor_id)(void) = (void *) 8;
static long (*bpf_tail_call)(void *ctx, void *prog_array_map, __u32 index) = (void *) 12;
static long (*bpf_redirect)(__u32 ifindex, __u64 flags) = (void *) 23;
static __s64 (*bpf_csum_diff)(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed) = (void *) 28;
static long (*bpf_xdp_adjust_head)(struct xdp_md *xdp_md, int delta) = (void *) 44;
static long (*bpf_redirect_map)(void *map, __u64 key, __u64 flags) = (void *) 51;
static long (*bpf_loop)(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags) = (void *) 181;

struct datarec {
    __u64 packets;
    __u64 bytes;
};

struct flow_key {
    __be32 saddr;
    __be32 daddr;
};

/* __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 5);
 * __type(key, __u32); __type(value, struct datarec); */
struct {
    int (*type)[BPF_MAP_TYPE_PERCPU_ARRAY];
    int (*max_entries)[5];
    __u32 *key;
    struct datarec *value;
} stats_map __attribute__((section(".maps"), used));

struct {
    int (*type)[BPF_MAP_TYPE_LRU_HASH];
    int (*max_entries)[4096];
    struct flow_key *key;
    struct datarec *value;
} flows __attribute__((section(".maps"), used));

struct {
    int (*type)[BPF_MAP_TYPE_DEVMAP];
    int (*max_entries)[64];
    int (*key_size)[4];
    int (*value_size)[4];
} tx_ports __attribute__((section(".maps"), used));

struct bpf_map_def __attribute__((section("maps"), used)) blocked = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u8),
    .max_entries = 1024,
};

struct {
    int (*type)[BPF_MAP_TYPE_PROG_ARRAY];
    int (*max_entries)[8];
    int (*key_size)[4];
    int (*value_size)[4];
} jump_table __attribute__((section(".maps"), used));

/* Count the packet in the per-CPU statistics of its action. */
static int count(__u32 action, __u64 len)
{
    struct datarec *rec = bpf_map_lookup_elem(&stats_map, &action);

    if (!rec)
        return XDP_ABORTED;
    rec->packets++;
    rec->bytes += len;
    return action;
}

__attribute__((section("xdp"), used))
int xdp_count(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;

    if (data + sizeof(*eth) > data_end)
        return count(XDP_DROP, 0);
    return count(XDP_PASS, (__u64)(data_end - data));
}

__attribute__((section("xdp"), used))
int xdp_flows(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *iph = data + sizeof(*eth);
    struct flow_key key;
    struct datarec *rec;
    __u8 *deny;

    if ((void *)(iph + 1) > data_end)
        return XDP_PASS;
    if (eth->h_proto != 0x0008)
        return XDP_PASS;
    deny = bpf_map_lookup_elem(&blocked, &iph->saddr);
    if (deny)
        return XDP_DROP;
    key.saddr = iph->saddr;
    key.daddr = iph->daddr;
    rec = bpf_map_lookup_elem(&flows, &key);
    if (!rec) {
        struct datarec fresh = { .packets = 1, .bytes = 0 };
        bpf_map_update_elem(&flows, &key, &fresh, 0);
        return XDP_PASS;
    }
    rec->packets++;
    if (rec->packets > 1000000) {
        bpf_map_delete_elem(&flows, &key);
        return bpf_redirect_map(&tx_ports, bpf_get_smp_processor_id() & 63, 0);
    }
    return XDP_PASS;
}

struct sum_ctx {
    __u32 total;
    __u32 seed;
};

static long add_one(__u32 index, void *data)
{
    struct sum_ctx *c = data;

    c->total += index ^ c->seed;
    return 0;
}

__attribute__((section("xdp"), used))
int xdp_misc(struct xdp_md *ctx)
{
    struct sum_ctx sc = { 0, 0 };
    __be32 before[2] = { 1, 2 };
    __be32 after[2] = { 3, 4 };
    __s64 diff;

    sc.seed = bpf_get_prandom_u32();
    bpf_loop(16, add_one, &sc, 0);
    diff = bpf_csum_diff(before, sizeof(before), after, sizeof(after), 0);
    if (diff == 0)
        return XDP_ABORTED;
    if (bpf_ktime_get_ns() & 1) {
        if (bpf_xdp_adjust_head(ctx, -4))
            return XDP_DROP;
        return XDP_TX;
    }
    bpf_tail_call(ctx, &jump_table, sc.total & 7);
    return bpf_redirect(ctx->ingress_ifindex, 0);
}
