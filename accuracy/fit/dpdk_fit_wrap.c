/* Written for Perfi: extern wrappers around DPDK's static inline header
 * functions (dpdk-dev 22.11, headers included where Debian installs them),
 * so that gcc emits a symbol per function and the static cost-model fit
 * (`make fit-model`, analysis-engine/examples/fit/static_fit.rs, project
 * "dpdk-wrappers") can set its machine code against the engine's features.
 * Each wrapper only calls one DPDK function; no DPDK code is copied here.
 *
 * Held out: none of the functions the unseen benchmark measures
 * (accuracy/unseen/dpdk/) are wrapped here, nor anything that inlines
 * them (rte_jhash*, checksums of rte_ip.h, rte_softrss / rte_thash*).
 * Not wrapped either: the byte swaps of rte_byteorder.h (x86 inline asm)
 * and rte_reciprocal_divide_u64 (an __int128 multiply the engine does not
 * lower), whose rows the fit would skip or misread. */

#include <stdint.h>
#include <stdbool.h>
#include <rte_common.h>
#include <rte_bitops.h>
#include <rte_ether.h>
#include <rte_bitmap.h>
#include <rte_lpm.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_reciprocal.h>
#include <rte_sched_common.h>
#include <rte_meter.h>
#include <rte_fbk_hash.h>

/* rte_common.h */
int perfi_fit_rte_is_power_of_2(uint32_t n) { return rte_is_power_of_2(n); }
uint32_t perfi_fit_rte_align32pow2(uint32_t x) { return rte_align32pow2(x); }
uint64_t perfi_fit_rte_align64pow2(uint64_t v) { return rte_align64pow2(v); }
uint32_t perfi_fit_rte_bsf32(uint32_t v) { return rte_bsf32(v); }
int perfi_fit_rte_bsf32_safe(uint32_t v, uint32_t *pos) { return rte_bsf32_safe(v, pos); }
uint32_t perfi_fit_rte_log2_u32(uint32_t v) { return rte_log2_u32(v); }
int perfi_fit_rte_fls_u32(uint32_t x) { return rte_fls_u32(x); }
int perfi_fit_rte_is_aligned(const void *p, unsigned int align) { return rte_is_aligned(p, align); }

/* rte_bitops.h */
uint32_t perfi_fit_rte_bit_relaxed_get32(unsigned int nr, volatile uint32_t *a) { return rte_bit_relaxed_get32(nr, a); }
void perfi_fit_rte_bit_relaxed_set64(unsigned int nr, volatile uint64_t *a) { rte_bit_relaxed_set64(nr, a); }
uint32_t perfi_fit_rte_bit_relaxed_test_and_clear32(unsigned int nr, volatile uint32_t *a) { return rte_bit_relaxed_test_and_clear32(nr, a); }

/* rte_ether.h */
int perfi_fit_rte_is_same_ether_addr(const struct rte_ether_addr *a, const struct rte_ether_addr *b) { return rte_is_same_ether_addr(a, b); }
int perfi_fit_rte_is_zero_ether_addr(const struct rte_ether_addr *a) { return rte_is_zero_ether_addr(a); }
int perfi_fit_rte_is_unicast_ether_addr(const struct rte_ether_addr *a) { return rte_is_unicast_ether_addr(a); }
int perfi_fit_rte_is_valid_assigned_ether_addr(const struct rte_ether_addr *a) { return rte_is_valid_assigned_ether_addr(a); }
void perfi_fit_rte_ether_addr_copy(const struct rte_ether_addr *from, struct rte_ether_addr *to) { rte_ether_addr_copy(from, to); }

/* rte_bitmap.h */
uint32_t perfi_fit_rte_bitmap_get_memory_footprint(uint32_t n_bits) { return rte_bitmap_get_memory_footprint(n_bits); }
uint64_t perfi_fit_rte_bitmap_get(struct rte_bitmap *b, uint32_t pos) { return rte_bitmap_get(b, pos); }
void perfi_fit_rte_bitmap_set(struct rte_bitmap *b, uint32_t pos) { rte_bitmap_set(b, pos); }
void perfi_fit_rte_bitmap_clear(struct rte_bitmap *b, uint32_t pos) { rte_bitmap_clear(b, pos); }
int perfi_fit_rte_bitmap_scan(struct rte_bitmap *b, uint32_t *pos, uint64_t *slab) { return rte_bitmap_scan(b, pos, slab); }

/* rte_lpm.h */
int perfi_fit_rte_lpm_lookup(const struct rte_lpm *lpm, uint32_t ip, uint32_t *hop) { return rte_lpm_lookup(lpm, ip, hop); }

/* rte_mbuf.h */
uint16_t perfi_fit_rte_pktmbuf_headroom(const struct rte_mbuf *m) { return rte_pktmbuf_headroom(m); }
uint16_t perfi_fit_rte_pktmbuf_tailroom(const struct rte_mbuf *m) { return rte_pktmbuf_tailroom(m); }
struct rte_mbuf *perfi_fit_rte_pktmbuf_lastseg(struct rte_mbuf *m) { return rte_pktmbuf_lastseg(m); }
char *perfi_fit_rte_pktmbuf_adj(struct rte_mbuf *m, uint16_t len) { return rte_pktmbuf_adj(m, len); }
int perfi_fit_rte_pktmbuf_trim(struct rte_mbuf *m, uint16_t len) { return rte_pktmbuf_trim(m, len); }
uint64_t perfi_fit_rte_mbuf_tx_offload(uint64_t il2, uint64_t il3, uint64_t il4, uint64_t tso, uint64_t ol3, uint64_t ol2, uint64_t unused) { return rte_mbuf_tx_offload(il2, il3, il4, tso, ol3, ol2, unused); }
int perfi_fit_rte_validate_tx_offload(const struct rte_mbuf *m) { return rte_validate_tx_offload(m); }
void perfi_fit_rte_mbuf_sched_set(struct rte_mbuf *m, uint32_t q, uint8_t tc, uint8_t color) { rte_mbuf_sched_set(m, q, tc, color); }

/* rte_ring.h */
unsigned int perfi_fit_rte_ring_count(const struct rte_ring *r) { return rte_ring_count(r); }
int perfi_fit_rte_ring_full(const struct rte_ring *r) { return rte_ring_full(r); }
unsigned int perfi_fit_rte_ring_sc_dequeue_burst(struct rte_ring *r, void **objs, unsigned int n, unsigned int *avail) { return rte_ring_sc_dequeue_burst(r, objs, n, avail); }

/* rte_reciprocal.h */
uint32_t perfi_fit_rte_reciprocal_divide(uint32_t a, struct rte_reciprocal r) { return rte_reciprocal_divide(a, r); }

/* rte_sched_common.h */
uint32_t perfi_fit_rte_min_pos_4_u16(uint16_t *x) { return rte_min_pos_4_u16(x); }
uint64_t perfi_fit_rte_get_gcd64(uint64_t a, uint64_t b) { return rte_get_gcd64(a, b); }
uint32_t perfi_fit_rte_get_lcd(uint32_t a, uint32_t b) { return rte_get_lcd(a, b); }

/* rte_meter.h */
enum rte_color perfi_fit_rte_meter_trtcm_color_blind_check(struct rte_meter_trtcm *m, struct rte_meter_trtcm_profile *p, uint64_t time, uint32_t len) { return rte_meter_trtcm_color_blind_check(m, p, time, len); }
enum rte_color perfi_fit_rte_meter_srtcm_color_aware_check(struct rte_meter_srtcm *m, struct rte_meter_srtcm_profile *p, uint64_t time, uint32_t len, enum rte_color c) { return rte_meter_srtcm_color_aware_check(m, p, time, len, c); }

/* rte_fbk_hash.h */
int perfi_fit_rte_fbk_hash_lookup_with_bucket(const struct rte_fbk_hash_table *ht, uint32_t key, uint32_t bucket) { return rte_fbk_hash_lookup_with_bucket(ht, key, bucket); }
