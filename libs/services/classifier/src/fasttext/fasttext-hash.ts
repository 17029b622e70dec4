/*
 * fastText's hashes (`Dictionary::hash`, the word n-gram hash of `Dictionary::addWordNgrams`) in
 * exact integer arithmetic on doubles, allocating nothing: they run for every token and word pair
 * of every line the classifier reads.
 */

export const FNV_OFFSET = 2_166_136_261 | 0;
const FNV_PRIME = 16_777_619;
const WORD_NGRAM_PRIME = 116_049_371;
export const TWO_32 = 4_294_967_296;

/**
 * FNV-1a over UTF-8 bytes, each byte sign-extended as fastText's `hash` does. Kept as an int32 (the
 * same bits as fastText's uint32) so that it stays a small integer; `>>> 0` where the value matters.
 */
export const fnvStep = (hash: number, byte: number): number => Math.imul(hash ^ ((byte << 24) >> 24), FNV_PRIME);

/**
 * (h · 116049371 + next) mod 2^64 on a 64-bit value held as two 32-bit halves, `h` = `state[0]`
 * (high) and `state[1]` (low), updated in place: one step per word of an n-gram, no tuple allocated.
 * Every operation is exact in doubles and none is a floating-point `%` (a C call in V8): a
 * product below 2^43 is cut at 2^16 with `&` and `/`, a sum below 2^44 at 2^32 with `>>> 0`.
 */
export const ngramStep = (state: Float64Array, next: number): void => {
  const hi = state[0];
  const lo = state[1];
  const low = (lo & 0xffff) * WORD_NGRAM_PRIME;
  const high = (lo >>> 16) * WORD_NGRAM_PRIME;
  const sum = (high & 0xffff) * 0x10000 + low;
  let newLo = sum >>> 0;
  let newHi = (Math.imul(hi, WORD_NGRAM_PRIME) + Math.floor(high / 0x10000) + (sum - newLo) / TWO_32) >>> 0;
  // `next` is an int32 sign-extended to 64 bits.
  newLo += next >>> 0;
  if (newLo >= TWO_32) {
    newLo -= TWO_32;
    newHi = (newHi + 1) >>> 0;
  }
  if (next < 0) newHi = (newHi + 0xffffffff) >>> 0;
  state[0] = newHi;
  state[1] = newLo;
};

/** The largest bucket count `mod64` is exact for: (m - 1)² + 2^32 stays below 2^53. */
export const MAX_BUCKETS = 2 ** 26;

/** x mod m for integers 0 ≤ x < 2^53 and m ≤ 2^26, without a floating-point `%`. */
const mod = (x: number, m: number): number => x - Math.floor(x / m) * m;

/** (hi · 2^32 + lo) mod m, for m ≤ `MAX_BUCKETS`; `twoPow32ModM` is 2^32 mod m. */
export const mod64 = (hi: number, lo: number, m: number, twoPow32ModM: number): number =>
  mod(mod(hi, m) * twoPow32ModM + lo, m);
