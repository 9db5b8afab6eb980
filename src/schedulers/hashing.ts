// The hashes the hashing schedulers (dh, sh, mh) share. The kernel's mh uses hsiphash; on 32-bit kernels
// that is HalfSipHash-1-3, which needs only 32-bit arithmetic and so runs fast in JavaScript without
// BigInt. sh and dh use the kernel's multiplicative hash_32 on the folded key. Addresses are folded from
// their text form (the data plane hands us canonical socket addresses), so both families hash alike and no
// address parsing is needed here.

export interface HashKey {
  readonly k0: number;
  readonly k1: number;
}

/** The keys the kernel's mh scheduler seeds its two hsiphash functions with. */
export const MH_OFFSET_KEY: HashKey = { k0: 2654435761, k1: 2654435761 };
export const MH_SKIP_KEY: HashKey = { k0: 2654446892, k1: 2654446892 };
/** Folds an address text into 32 bits; any fixed key works, this one only has to differ from the others. */
const ADDRESS_KEY: HashKey = { k0: 0x9e3779b9, k1: 0x7f4a7c15 };

// v0..v3 of the running hash; module scope so a hash allocates nothing.
const v = new Uint32Array(4);

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function sipRound(): void {
  v[0] = v[0]! + v[1]!; v[1] = rotl(v[1]!, 5); v[1] ^= v[0]!; v[0] = rotl(v[0]!, 16);
  v[2] = v[2]! + v[3]!; v[3] = rotl(v[3]!, 8); v[3] ^= v[2]!;
  v[0] = v[0]! + v[3]!; v[3] = rotl(v[3]!, 7); v[3] ^= v[0]!;
  v[2] = v[2]! + v[1]!; v[1] = rotl(v[1]!, 13); v[1] ^= v[2]!; v[2] = rotl(v[2]!, 16);
}

function begin(key: HashKey): void {
  v[0] = key.k0;
  v[1] = key.k1;
  v[2] = 0x6c796765 ^ key.k0;
  v[3] = 0x74656462 ^ key.k1;
}

function absorb(word: number): void {
  v[3] ^= word;
  sipRound();
  v[0] ^= word;
}

function finish(lengthBytes: number, tail: number): number {
  const b = ((lengthBytes << 24) | tail) >>> 0;
  absorb(b);
  v[2] ^= 0xff;
  sipRound();
  sipRound();
  sipRound();
  return (v[1]! ^ v[3]!) >>> 0;
}

/** HalfSipHash-1-3 of one 32-bit word (the kernel's hsiphash of a u32 on 32-bit machines). */
export function hashWord(word: number, key: HashKey): number {
  begin(key);
  absorb(word >>> 0);
  return finish(4, 0);
}

/** HalfSipHash-1-3 of a string's UTF-16 code units, two per 32-bit word. */
export function hashText(text: string, key: HashKey): number {
  begin(key);
  const pairs = text.length >> 1;
  for (let i = 0; i < pairs; i++) {
    absorb((text.charCodeAt(2 * i) | (text.charCodeAt(2 * i + 1) << 16)) >>> 0);
  }
  const tail = text.length & 1 ? text.charCodeAt(text.length - 1) : 0;
  return finish((text.length * 2) & 0xff, tail);
}

/** A 32-bit stand-in for an address, the way the kernel folds an IPv6 address into one word. */
export function foldAddress(ip: string): number {
  return hashText(ip, ADDRESS_KEY);
}

/** The kernel's hash_32: multiply by the 32-bit golden ratio and keep the top `bits` bits. */
export function goldenHash(value: number, bits: number): number {
  return (Math.imul(value >>> 0, 0x61c88647) >>> 0) >>> (32 - bits);
}
