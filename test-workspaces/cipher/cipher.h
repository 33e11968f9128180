/*
 * A toy 16-byte block cipher in two builds, for the secret-dependence
 * check: the table build indexes a substitution table with key-dependent
 * state bytes (the cache line it touches leaks the byte), the
 * constant-time build reads the whole table for every byte and selects
 * with a mask, so neither its addresses nor its branches depend on the key.
 * Not a real cipher: four rounds of substitution, mixing and round keys.
 */
#ifndef CIPHER_H
#define CIPHER_H

#include <stdint.h>

#define CIPHER_BLOCK 16
#define CIPHER_ROUNDS 4
#define CIPHER_SCHEDULE ((CIPHER_ROUNDS + 1) * CIPHER_BLOCK)

/* Substitution table (a permutation of the bytes), set by cipher_init_tables. */
extern uint8_t cipher_sbox[256];

void cipher_init_tables(void);

void cipher_expand_key_table(uint8_t *round_key, const uint8_t *key /* @perf secret */);
void cipher_encrypt_table(uint8_t *block, const uint8_t *round_key /* @perf secret */);

void cipher_expand_key_ct(uint8_t *round_key, const uint8_t *key /* @perf secret */);
void cipher_encrypt_ct(uint8_t *block, const uint8_t *round_key /* @perf secret */);

#endif
