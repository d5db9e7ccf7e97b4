#ifndef UTIL_SHA256_ACCEL_H
#define UTIL_SHA256_ACCEL_H

/*
 * SHA-256 block compression with the x86 SHA extensions (SHA-NI), used by sha256_update() for
 * whole blocks when the CPU has them: about 5x the portable code, which matters when hashing
 * multi-gigabyte model files for LFS object ids and hashFiles().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compresses nblocks 64-byte blocks into state; false (state untouched) without SHA-NI. */
bool sha256_accel_blocks(uint32_t state[8], const unsigned char *data, size_t nblocks);

#endif
