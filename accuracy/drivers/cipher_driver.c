/*
 * Ground-truth driver for test-workspaces/cipher: key expansion and block
 * encryption, each in the table build and the constant-time build.
 * State lives in static globals; each scenario's last statement is the one
 * call of the measured function (see README.md in this folder).
 */
#include <stdint.h>
#include <string.h>

#include "../../test-workspaces/cipher/cipher.h"

static uint8_t g_key[CIPHER_BLOCK];
static uint8_t g_schedule[CIPHER_SCHEDULE];
static uint8_t g_block[CIPHER_BLOCK];

static void setup_key(uint8_t seed)
{
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        g_key[i] = (uint8_t)(i * 29 + seed);
}

static void setup_block(void)
{
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        g_block[i] = (uint8_t)(i * 13 + 1);
}

void scenario_expand_table(void)
{
    cipher_init_tables();
    setup_key(7);
    cipher_expand_key_table(g_schedule, g_key);
}

void scenario_expand_ct(void)
{
    cipher_init_tables();
    setup_key(7);
    cipher_expand_key_ct(g_schedule, g_key);
}

void scenario_encrypt_table(void)
{
    cipher_init_tables();
    setup_key(3);
    cipher_expand_key_ct(g_schedule, g_key);
    setup_block();
    cipher_encrypt_table(g_block, g_schedule);
}

void scenario_encrypt_ct(void)
{
    cipher_init_tables();
    setup_key(3);
    cipher_expand_key_table(g_schedule, g_key);
    setup_block();
    cipher_encrypt_ct(g_block, g_schedule);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    const char *s = all ? "" : argv[1];
    int ran = 0;

    if (all || !strcmp(s, "scenario_expand_table")) { scenario_expand_table(); ran++; }
    if (all || !strcmp(s, "scenario_expand_ct")) { scenario_expand_ct(); ran++; }
    if (all || !strcmp(s, "scenario_encrypt_table")) { scenario_encrypt_table(); ran++; }
    if (all || !strcmp(s, "scenario_encrypt_ct")) { scenario_encrypt_ct(); ran++; }
    return ran > 0 ? 0 : 2;
}
