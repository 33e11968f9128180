#include "cipher.h"

uint8_t cipher_sbox[256];

void cipher_init_tables(void)
{
    uint32_t i;

    /* 167 is odd, so i -> 167 i + 13 permutes the bytes; the rotation and
     * the xor keep it a permutation */
    for (i = 0; i < 256; i++) {
        uint8_t x = (uint8_t)(i * 167u + 13u);
        cipher_sbox[i] = (uint8_t)(((x << 3) | (x >> 5)) ^ 0x5a);
    }
}

/* After this, every state byte depends on the key. */
static void add_round_key(uint8_t *s, const uint8_t *rk)
{
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        s[i] ^= rk[i];
}

/* The lookup address is the state byte: a cache side channel. */
static void sub_bytes_table(uint8_t *s)
{
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        s[i] = cipher_sbox[s[i]];
}

/* Every entry is read; the mask is all ones only where j == x, computed
 * without a branch ((j ^ x) - 1 borrows into bit 8 only when j == x). */
static uint8_t sbox_ct(uint8_t x)
{
    uint32_t j;
    uint8_t r = 0;

    for (j = 0; j < 256; j++) {
        uint32_t diff = j ^ (uint32_t)x;
        uint8_t mask = (uint8_t)(((diff - 1u) >> 8) & 0xffu);
        r |= (uint8_t)(cipher_sbox[j] & mask);
    }
    return r;
}

static void sub_bytes_ct(uint8_t *s)
{
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        s[i] = sbox_ct(s[i]);
}

/* Diffusion with a fixed data flow: indices depend on i only. */
static void mix(uint8_t *s)
{
    uint8_t t[CIPHER_BLOCK];
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        t[i] = (uint8_t)(s[(i + 5) & 15] ^ (uint8_t)(s[i] << 1) ^ (s[(i + 1) & 15] >> 1));
    for (i = 0; i < CIPHER_BLOCK; i++)
        s[i] = t[i];
}

void cipher_expand_key_table(uint8_t *round_key, const uint8_t *key /* @perf secret */)
{
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        round_key[i] = key[i];
    for (i = CIPHER_BLOCK; i < CIPHER_SCHEDULE; i++) {
        uint8_t prev = round_key[i - 1];

        if ((i & 15) == 0)
            prev = (uint8_t)(cipher_sbox[prev] ^ (uint8_t)i);
        round_key[i] = (uint8_t)(round_key[i - CIPHER_BLOCK] ^ prev);
    }
}

void cipher_encrypt_table(uint8_t *block, const uint8_t *round_key /* @perf secret */)
{
    int r;

    add_round_key(block, round_key);
    for (r = 1; r <= CIPHER_ROUNDS; r++) {
        sub_bytes_table(block);
        mix(block);
        add_round_key(block, round_key + r * CIPHER_BLOCK);
    }
}

void cipher_expand_key_ct(uint8_t *round_key, const uint8_t *key /* @perf secret */)
{
    int i;

    for (i = 0; i < CIPHER_BLOCK; i++)
        round_key[i] = key[i];
    for (i = CIPHER_BLOCK; i < CIPHER_SCHEDULE; i++) {
        uint8_t prev = round_key[i - 1];

        if ((i & 15) == 0)
            prev = (uint8_t)(sbox_ct(prev) ^ (uint8_t)i);
        round_key[i] = (uint8_t)(round_key[i - CIPHER_BLOCK] ^ prev);
    }
}

void cipher_encrypt_ct(uint8_t *block, const uint8_t *round_key /* @perf secret */)
{
    int r;

    add_round_key(block, round_key);
    for (r = 1; r <= CIPHER_ROUNDS; r++) {
        sub_bytes_ct(block);
        mix(block);
        add_round_key(block, round_key + r * CIPHER_BLOCK);
    }
}
