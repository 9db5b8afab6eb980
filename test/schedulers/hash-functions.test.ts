// Known answers for the shared hashes: the kernel's own HalfSipHash self-test vectors (key 00..07, input
// bytes 00, 01, 02, ...), so a slip in a rotation or the finalisation cannot go unnoticed.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { goldenHash, hashText, hashWord } from '../../src/schedulers/hashing.js';

const KEY = { k0: 0x03020100, k1: 0x07060504 };

/** Bytes 0, 1, 2, ... as UTF-16 code units, two bytes (little-endian) per unit. */
function countingText(bytes: number): string {
  return String.fromCharCode(...Array.from({ length: bytes / 2 }, (_, i) => (2 * i) | ((2 * i + 1) << 8)));
}

it('hashWord is HalfSipHash-1-3 of one word, as the kernel computes hsiphash_1u32 on 32-bit', () => {
  assert.equal(hashWord(0x03020100, KEY), 0x7e059ea6);
});

it('hashText is HalfSipHash-1-3 of the code units as little-endian bytes', () => {
  assert.equal(hashText('', KEY), 0x5814c896);
  assert.equal(hashText(countingText(4), KEY), 0x7e059ea6);
  assert.equal(hashText(countingText(6), KEY), 0xa0080b65);
  assert.equal(hashText(countingText(16), KEY), 0x8b31d501);
});

it('goldenHash keeps the top bits of the golden-ratio product (the kernel hash_32)', () => {
  assert.equal(goldenHash(1, 8), 0x61);
  assert.equal(goldenHash(0, 8), 0);
  assert.equal(goldenHash(2, 32), 0xc3910c8e);
});
