/*
 * dpdk_driver.c - scenarios for DPDK's header-only hash and checksum
 * functions (dpdk-dev 22.11, used in place through dpdk/dpdk_wrap.c).
 * Our own code.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

struct rte_ipv4_hdr;
uint32_t perfi_rte_jhash(const void *key, uint32_t length, uint32_t initval);
uint32_t perfi_rte_jhash_3words(uint32_t a, uint32_t b, uint32_t c, uint32_t initval);
uint16_t perfi_rte_raw_cksum(const void *buf, size_t len);
uint16_t perfi_rte_ipv4_cksum(const struct rte_ipv4_hdr *ipv4_hdr);
uint32_t perfi_rte_softrss(uint32_t *input_tuple, uint32_t input_len, const uint8_t *rss_key);

static uint8_t g_buf[2048] __attribute__((aligned(64)));
static uint32_t g_tuple[12];
static uint8_t g_key[52];
uint32_t g_out; /* not static: the result of a pure function must stay live */

static void fill(unsigned n, unsigned seed)
{
    unsigned x = seed;
    for (unsigned i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        g_buf[i] = (uint8_t)(x >> 16);
    }
}

static void fill_rss(unsigned words)
{
    unsigned x = 2024;
    for (unsigned i = 0; i < 52; i++) {
        x = x * 1103515245u + 12345u;
        g_key[i] = (uint8_t)(x >> 16);
    }
    for (unsigned i = 0; i < words; i++) {
        x = x * 1103515245u + 12345u;
        g_tuple[i] = x;
    }
}

/* A 20-byte IPv4 header (version 4, IHL 5), or 24 bytes with one option word. */
static void ipv4_header(unsigned ihl)
{
    fill(4 * ihl, 7);
    g_buf[0] = (uint8_t)(0x40 | ihl);
    g_buf[10] = 0;
    g_buf[11] = 0;
}

void scenario_jhash_4(void) { fill(4, 1); g_out = perfi_rte_jhash(g_buf, 4, 0); }
void scenario_jhash_13(void) { fill(13, 2); g_out = perfi_rte_jhash(g_buf, 13, 0x9747b28c); }
void scenario_jhash_64(void) { fill(64, 3); g_out = perfi_rte_jhash(g_buf, 64, 0); }
void scenario_jhash_unaligned_30(void) { fill(40, 4); g_out = perfi_rte_jhash(g_buf + 1, 30, 0); }
void scenario_jhash_3words(void) { g_out = perfi_rte_jhash_3words(0x0a000001u, 0xc0a80001u, 0x1f900050u, 0); }
void scenario_raw_cksum_20(void) { fill(20, 5); g_out = perfi_rte_raw_cksum(g_buf, 20); }
void scenario_raw_cksum_odd_61(void) { fill(61, 6); g_out = perfi_rte_raw_cksum(g_buf, 61); }
void scenario_raw_cksum_1500(void) { fill(1500, 7); g_out = perfi_rte_raw_cksum(g_buf, 1500); }
void scenario_ipv4_cksum_plain(void) { ipv4_header(5); g_out = perfi_rte_ipv4_cksum((const struct rte_ipv4_hdr *)g_buf); }
void scenario_ipv4_cksum_options(void) { ipv4_header(15); g_out = perfi_rte_ipv4_cksum((const struct rte_ipv4_hdr *)g_buf); }
void scenario_softrss_ipv4(void) { fill_rss(3); g_out = perfi_rte_softrss(g_tuple, 3, g_key); }
void scenario_softrss_ipv6(void) { fill_rss(9); g_out = perfi_rte_softrss(g_tuple, 9, g_key); }

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;
    if (all || !strcmp(s, "scenario_jhash_4")) { scenario_jhash_4(); ran++; }
    if (all || !strcmp(s, "scenario_jhash_13")) { scenario_jhash_13(); ran++; }
    if (all || !strcmp(s, "scenario_jhash_64")) { scenario_jhash_64(); ran++; }
    if (all || !strcmp(s, "scenario_jhash_unaligned_30")) { scenario_jhash_unaligned_30(); ran++; }
    if (all || !strcmp(s, "scenario_jhash_3words")) { scenario_jhash_3words(); ran++; }
    if (all || !strcmp(s, "scenario_raw_cksum_20")) { scenario_raw_cksum_20(); ran++; }
    if (all || !strcmp(s, "scenario_raw_cksum_odd_61")) { scenario_raw_cksum_odd_61(); ran++; }
    if (all || !strcmp(s, "scenario_raw_cksum_1500")) { scenario_raw_cksum_1500(); ran++; }
    if (all || !strcmp(s, "scenario_ipv4_cksum_plain")) { scenario_ipv4_cksum_plain(); ran++; }
    if (all || !strcmp(s, "scenario_ipv4_cksum_options")) { scenario_ipv4_cksum_options(); ran++; }
    if (all || !strcmp(s, "scenario_softrss_ipv4")) { scenario_softrss_ipv4(); ran++; }
    if (all || !strcmp(s, "scenario_softrss_ipv6")) { scenario_softrss_ipv6(); ran++; }
    return ran > 0 ? 0 : 2;
}
