/*
 * dpdk_wrap.c - our own one-line wrappers around DPDK's header-only
 * functions (dpdk-dev, /usr/include/dpdk, used in place). A static inline
 * function has no symbol of its own, so each is measured through an extern
 * wrapper compiled in this separate object: the wrapper's body is the
 * inlined DPDK function (plus the wrapper's own return).
 */
#include <stdint.h>
#include <stddef.h>
#include <rte_jhash.h>
#include <rte_ip.h>
#include <rte_thash.h>

uint32_t perfi_rte_jhash(const void *key, uint32_t length, uint32_t initval)
{
    return rte_jhash(key, length, initval);
}

uint32_t perfi_rte_jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval)
{
    return rte_jhash_3words(a, b, c, initval);
}

uint16_t perfi_rte_raw_cksum(const void *buf, size_t len)
{
    return rte_raw_cksum(buf, len);
}

uint16_t perfi_rte_ipv4_cksum(const struct rte_ipv4_hdr *ipv4_hdr)
{
    return rte_ipv4_cksum(ipv4_hdr);
}

uint32_t perfi_rte_softrss(uint32_t *input_tuple, uint32_t input_len, const uint8_t *rss_key)
{
    return rte_softrss(input_tuple, input_len, rss_key);
}
