/* DPDK inline header functions. */
#include <rte_ip.h>
#include <rte_jhash.h>

uint32_t hash_tuple(const uint32_t *k) { return rte_jhash_3words(k[0], k[1], k[2], 7); }
uint16_t ip_sum(const struct rte_ipv4_hdr *h) { return rte_ipv4_cksum(h); }
