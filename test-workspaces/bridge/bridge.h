/*
 * bridge.h - learning L2 bridge: MAC learning on source, forwarding or
 * flooding on destination, ageing of learned entries.
 *
 * The forwarding database is open-addressed with linear probing and
 * tombstones; a probe never walks more than BR_FDB_MAX_PROBE slots.
 */
#ifndef BRIDGE_H
#define BRIDGE_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define BR_ETH_ALEN          6
#define BR_MAX_PORTS         16
#define BR_FDB_SIZE          512
#define BR_FDB_MASK          (BR_FDB_SIZE - 1)
#define BR_FDB_MAX_PROBE     8
#define BR_DEFAULT_AGEING    300000
#define BR_ETH_P_8021Q       0x8100
#define BR_VLAN_VID_MASK     0x0fff
#define BR_FRAME_F_TAGGED    0x1u
#define BR_FRAME_F_FCS_BAD   0x2u
#define BR_PORT_NONE         0xffff

enum br_port_state {
    BR_STATE_DISABLED = 0,
    BR_STATE_LISTENING,
    BR_STATE_LEARNING,
    BR_STATE_FORWARDING,
    BR_STATE_BLOCKING
};

enum br_slot_state {
    BR_SLOT_EMPTY = 0,
    BR_SLOT_USED,
    BR_SLOT_DELETED
};

enum br_verdict {
    BR_DROP = 0,
    BR_UNICAST,
    BR_FLOOD,
    BR_TO_HOST
};

enum br_learn_result {
    BR_LEARN_NEW = 0,
    BR_LEARN_REFRESH,
    BR_LEARN_MOVED,
    BR_LEARN_EVICTED,
    BR_LEARN_FAILED
};

union br_mac {
    uint8_t addr[BR_ETH_ALEN];
    struct {
        uint32_t hi;
        uint16_t lo;
    } __attribute__((packed)) w;
};

struct br_eth_hdr {
    union br_mac dst;
    union br_mac src;
    uint16_t     ethertype;
} __attribute__((packed));

struct br_vlan_tag {
    uint16_t tci;
    uint16_t inner_type;
} __attribute__((packed));

/* received frame: metadata, L2 header, then the rest of the bytes */
struct br_frame {
    uint16_t in_port;
    uint16_t len;
    uint32_t flags;
    struct br_eth_hdr eth;
    uint8_t  data[];
};

struct br_fdb_entry {
    union br_mac mac;
    uint16_t vlan;
    uint16_t port;
    uint8_t  state;            /* enum br_slot_state */
    uint8_t  is_static : 1,
             is_local  : 1,
             moved     : 1,
             reserved  : 5;
    uint64_t updated;
    uint64_t used;
    uint32_t hits;
    uint32_t moves;
};

struct br_port_stats {
    uint64_t rx_frames;
    uint64_t rx_bytes;
    uint64_t tx_frames;
    uint64_t tx_bytes;
    uint64_t rx_dropped;
    uint64_t flooded;
    uint64_t learned;
};

struct br_port {
    uint16_t id;
    uint8_t  state;            /* enum br_port_state */
    uint8_t  learning  : 1,
             flood     : 1,
             bpdu_guard: 1,
             hairpin   : 1,
             unused    : 4;
    uint16_t pvid;
    uint16_t max_learned;
    uint32_t learned_count;
    union br_mac mac;
    struct br_port_stats stats;
};

struct br_fwd_result {
    uint32_t verdict;
    uint32_t n_out;
    uint16_t out_ports[BR_MAX_PORTS];
};

struct br_state {
    union br_mac bridge_mac;
    uint16_t n_ports;
    uint32_t fdb_count;
    uint64_t ageing_time;
    struct br_port ports[BR_MAX_PORTS];
    struct br_fdb_entry fdb[BR_FDB_SIZE];
    struct {
        uint64_t learned;
        uint64_t refreshed;
        uint64_t moved;
        uint64_t evicted;
        uint64_t aged;
        uint64_t unicast;
        uint64_t flooded;
        uint64_t filtered;
        uint64_t to_host;
        uint64_t dropped;
    } stats;
};

static inline uint16_t br_bswap16(uint16_t x)
{
    return (uint16_t)((x >> 8) | (x << 8));
}

void     bridge_init(struct br_state *br, const uint8_t *mac, uint16_t n_ports);
uint32_t br_fdb_hash(const union br_mac *mac, uint16_t vlan);
int32_t  br_fdb_find(const struct br_state *br, const union br_mac *mac,
                     uint16_t vlan);
int      br_learn(struct br_state *br, const union br_mac *mac, uint16_t vlan,
                  uint16_t port, uint64_t now);
uint32_t br_fdb_age(struct br_state *br, uint64_t now);
uint32_t br_flood(struct br_state *br, uint16_t in_port,
                  struct br_fwd_result *res);
int      bridge_receive(struct br_state *br, struct br_frame *fr, uint64_t now,
                        struct br_fwd_result *res);

#endif /* BRIDGE_H */
