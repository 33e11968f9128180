/*
 * linux_bits_driver.c - scenarios for the kernel's lib/hweight.c,
 * lib/math/gcd.c, lib/math/int_sqrt.c and lib/math/rational.c
 * (Linux 6.1, used in place). Our own code.
 */
#include <string.h>
#include <linux/types.h>
#include <linux/bitops.h>

unsigned int __sw_hweight32(unsigned int w);
unsigned int __sw_hweight16(unsigned int w);
unsigned long __sw_hweight64(__u64 w);
unsigned long gcd(unsigned long a, unsigned long b);
unsigned long int_sqrt(unsigned long x);
void rational_best_approximation(unsigned long given_numerator, unsigned long given_denominator,
                                 unsigned long max_numerator, unsigned long max_denominator,
                                 unsigned long *best_numerator, unsigned long *best_denominator);

unsigned long g_out; /* not static: the result of a pure function must stay live */
unsigned long g_num, g_den; /* not static: the result of a pure function must stay live */
static volatile unsigned long g_in[4] = { 0xdeadbeefUL, 0x0123456789abcdefUL, 1071, 462 };

void scenario_hweight32_sparse(void) { g_out = __sw_hweight32(0x80000001u); }
void scenario_hweight32_dense(void) { g_out = __sw_hweight32((unsigned)g_in[0]); }
void scenario_hweight16(void) { g_out = __sw_hweight16(0xf0f0u); }
void scenario_hweight64_small(void) { g_out = __sw_hweight64(3); }
void scenario_hweight64_dense(void) { g_out = __sw_hweight64(g_in[1]); }
void scenario_gcd_zero(void) { g_out = gcd(0, 5); }
void scenario_gcd_small(void) { g_out = gcd(12, 18); }
void scenario_gcd_euclid(void) { g_out = gcd(g_in[2], g_in[3]); }
void scenario_gcd_coprime_large(void) { g_out = gcd(1000000007UL, 998244353UL); }
void scenario_sqrt_one(void) { g_out = int_sqrt(1); }
void scenario_sqrt_small(void) { g_out = int_sqrt(50); }
void scenario_sqrt_million(void) { g_out = int_sqrt(1000000); }
void scenario_sqrt_large(void) { g_out = int_sqrt(0x3fffffffffffffffUL); }
void scenario_rational_exact(void) { rational_best_approximation(1, 2, 255, 255, &g_num, &g_den); }
void scenario_rational_pi(void) { rational_best_approximation(3141592653UL, 1000000000UL, 1000, 1000, &g_num, &g_den); }
void scenario_rational_pll(void) { rational_best_approximation(31415, 10000, 31, 31, &g_num, &g_den); }

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;
    if (all || !strcmp(s, "scenario_hweight32_sparse")) { scenario_hweight32_sparse(); ran++; }
    if (all || !strcmp(s, "scenario_hweight32_dense")) { scenario_hweight32_dense(); ran++; }
    if (all || !strcmp(s, "scenario_hweight16")) { scenario_hweight16(); ran++; }
    if (all || !strcmp(s, "scenario_hweight64_small")) { scenario_hweight64_small(); ran++; }
    if (all || !strcmp(s, "scenario_hweight64_dense")) { scenario_hweight64_dense(); ran++; }
    if (all || !strcmp(s, "scenario_gcd_zero")) { scenario_gcd_zero(); ran++; }
    if (all || !strcmp(s, "scenario_gcd_small")) { scenario_gcd_small(); ran++; }
    if (all || !strcmp(s, "scenario_gcd_euclid")) { scenario_gcd_euclid(); ran++; }
    if (all || !strcmp(s, "scenario_gcd_coprime_large")) { scenario_gcd_coprime_large(); ran++; }
    if (all || !strcmp(s, "scenario_sqrt_one")) { scenario_sqrt_one(); ran++; }
    if (all || !strcmp(s, "scenario_sqrt_small")) { scenario_sqrt_small(); ran++; }
    if (all || !strcmp(s, "scenario_sqrt_million")) { scenario_sqrt_million(); ran++; }
    if (all || !strcmp(s, "scenario_sqrt_large")) { scenario_sqrt_large(); ran++; }
    if (all || !strcmp(s, "scenario_rational_exact")) { scenario_rational_exact(); ran++; }
    if (all || !strcmp(s, "scenario_rational_pi")) { scenario_rational_pi(); ran++; }
    if (all || !strcmp(s, "scenario_rational_pll")) { scenario_rational_pll(); ran++; }
    return ran > 0 ? 0 : 2;
}
