/*
 * linux_crc_driver.c - scenarios for the kernel's lib/crc16.c,
 * lib/crc-ccitt.c and lib/crc8.c (Linux 6.1, used in place).
 * Our own code: fills buffers deterministically and calls the measured
 * function once, as the last statement of each scenario.
 */
#include <string.h>
#include <linux/types.h>
#include <linux/crc16.h>
#include <linux/crc-ccitt.h>
#include <linux/crc8.h>

static u8 g_buf[2048];
static u8 g_table[CRC8_TABLE_SIZE];
u16 g_crc16; /* not static: the result of a pure function must stay live */
u8 g_crc8; /* not static: the result of a pure function must stay live */

static void fill(unsigned n)
{
    unsigned x = 12345;
    for (unsigned i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        g_buf[i] = (u8)(x >> 16);
    }
}

void scenario_crc16_empty(void) { g_crc16 = crc16(0, g_buf, 0); }
void scenario_crc16_1(void) { fill(1); g_crc16 = crc16(0xffff, g_buf, 1); }
void scenario_crc16_64(void) { fill(64); g_crc16 = crc16(0, g_buf, 64); }
void scenario_crc16_1500(void) { fill(1500); g_crc16 = crc16(0, g_buf, 1500); }
void scenario_ccitt_8(void) { fill(8); g_crc16 = crc_ccitt(0xffff, g_buf, 8); }
void scenario_ccitt_256(void) { fill(256); g_crc16 = crc_ccitt(0xffff, g_buf, 256); }
void scenario_ccitt_1024(void) { fill(1024); g_crc16 = crc_ccitt(0, g_buf, 1024); }
void scenario_crc8_4(void) { crc8_populate_msb(g_table, 0x07); fill(4); g_crc8 = crc8(g_table, g_buf, 4, CRC8_INIT_VALUE); }
void scenario_crc8_64(void) { crc8_populate_lsb(g_table, 0x8c); fill(64); g_crc8 = crc8(g_table, g_buf, 64, 0); }
void scenario_crc8_512(void) { crc8_populate_msb(g_table, 0x31); fill(512); g_crc8 = crc8(g_table, g_buf, 512, CRC8_INIT_VALUE); }
void scenario_crc8_populate_msb(void) { crc8_populate_msb(g_table, 0x07); }
void scenario_crc8_populate_lsb(void) { crc8_populate_lsb(g_table, 0x8c); }

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;
    if (all || !strcmp(s, "scenario_crc16_empty")) { scenario_crc16_empty(); ran++; }
    if (all || !strcmp(s, "scenario_crc16_1")) { scenario_crc16_1(); ran++; }
    if (all || !strcmp(s, "scenario_crc16_64")) { scenario_crc16_64(); ran++; }
    if (all || !strcmp(s, "scenario_crc16_1500")) { scenario_crc16_1500(); ran++; }
    if (all || !strcmp(s, "scenario_ccitt_8")) { scenario_ccitt_8(); ran++; }
    if (all || !strcmp(s, "scenario_ccitt_256")) { scenario_ccitt_256(); ran++; }
    if (all || !strcmp(s, "scenario_ccitt_1024")) { scenario_ccitt_1024(); ran++; }
    if (all || !strcmp(s, "scenario_crc8_4")) { scenario_crc8_4(); ran++; }
    if (all || !strcmp(s, "scenario_crc8_64")) { scenario_crc8_64(); ran++; }
    if (all || !strcmp(s, "scenario_crc8_512")) { scenario_crc8_512(); ran++; }
    if (all || !strcmp(s, "scenario_crc8_populate_msb")) { scenario_crc8_populate_msb(); ran++; }
    if (all || !strcmp(s, "scenario_crc8_populate_lsb")) { scenario_crc8_populate_lsb(); ran++; }
    return ran > 0 ? 0 : 2;
}
