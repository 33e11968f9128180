/*
 * linux_text_driver.c - scenarios for the kernel's lib/glob.c and
 * lib/base64.c (Linux 6.1, used in place). Our own code.
 */
#include <string.h>
#include <linux/types.h>
#include <linux/glob.h>
#include <linux/base64.h>

static char g_text[2048];
static char g_pat[64];
static u8 g_bin[1536];
int g_ret; /* not static: the result of a pure function must stay live */

static void fill_bin(unsigned n)
{
    unsigned x = 777;
    for (unsigned i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        g_bin[i] = (u8)(x >> 16);
    }
}

static void copy_str(char *dst, const char *src)
{
    while ((*dst++ = *src++) != 0) {
    }
}

void scenario_glob_literal(void) { copy_str(g_pat, "vmlinux"); copy_str(g_text, "vmlinux"); g_ret = glob_match(g_pat, g_text); }
void scenario_glob_star_suffix(void) { copy_str(g_pat, "*.c"); copy_str(g_text, "drivers_net_ethernet_intel.c"); g_ret = glob_match(g_pat, g_text); }
void scenario_glob_class(void) { copy_str(g_pat, "eth[0-9]"); copy_str(g_text, "eth7"); g_ret = glob_match(g_pat, g_text); }
void scenario_glob_backtrack_miss(void) { copy_str(g_pat, "*a*b*c*d"); copy_str(g_text, "aaaabbbbccccxxxxaaaabbbbcccc"); g_ret = glob_match(g_pat, g_text); }
void scenario_glob_early_miss(void) { copy_str(g_pat, "sda?"); copy_str(g_text, "nvme0n1"); g_ret = glob_match(g_pat, g_text); }
void scenario_b64_encode_3(void) { fill_bin(3); g_ret = base64_encode(g_bin, 3, g_text); }
void scenario_b64_encode_64(void) { fill_bin(64); g_ret = base64_encode(g_bin, 64, g_text); }
void scenario_b64_encode_1000(void) { fill_bin(1000); g_ret = base64_encode(g_bin, 1000, g_text); }
void scenario_b64_decode_8(void) { copy_str(g_text, "cGVyZmk="); g_ret = base64_decode(g_text, 8, g_bin); }
void scenario_b64_decode_64(void) { fill_bin(48); base64_encode(g_bin, 48, g_text); g_ret = base64_decode(g_text, 64, g_bin); }
void scenario_b64_decode_bad(void) { copy_str(g_text, "ab!d"); g_ret = base64_decode(g_text, 4, g_bin); }

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;
    if (all || !strcmp(s, "scenario_glob_literal")) { scenario_glob_literal(); ran++; }
    if (all || !strcmp(s, "scenario_glob_star_suffix")) { scenario_glob_star_suffix(); ran++; }
    if (all || !strcmp(s, "scenario_glob_class")) { scenario_glob_class(); ran++; }
    if (all || !strcmp(s, "scenario_glob_backtrack_miss")) { scenario_glob_backtrack_miss(); ran++; }
    if (all || !strcmp(s, "scenario_glob_early_miss")) { scenario_glob_early_miss(); ran++; }
    if (all || !strcmp(s, "scenario_b64_encode_3")) { scenario_b64_encode_3(); ran++; }
    if (all || !strcmp(s, "scenario_b64_encode_64")) { scenario_b64_encode_64(); ran++; }
    if (all || !strcmp(s, "scenario_b64_encode_1000")) { scenario_b64_encode_1000(); ran++; }
    if (all || !strcmp(s, "scenario_b64_decode_8")) { scenario_b64_decode_8(); ran++; }
    if (all || !strcmp(s, "scenario_b64_decode_64")) { scenario_b64_decode_64(); ran++; }
    if (all || !strcmp(s, "scenario_b64_decode_bad")) { scenario_b64_decode_bad(); ran++; }
    return ran > 0 ? 0 : 2;
}
