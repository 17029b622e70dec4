import fc from 'fast-check';

import { BucketRows } from './fasttext-file';
import { MAX_BUCKETS, mod64, ngramStep } from './fasttext-hash';

const PRIME = 116_049_371n;
const u64 = (int32: number): bigint => BigInt.asUintN(64, BigInt(int32));

/** fastText's `addWordNgrams` in 64-bit integers: h = h · 116049371 + hash, from the first word's hash. */
const referenceBucket = (hashes: number[], bucket: number): number => {
  let h = u64(hashes[0]);
  for (const next of hashes.slice(1)) h = BigInt.asUintN(64, h * PRIME + u64(next));
  return Number(h % BigInt(bucket));
};

const bucketOf = (hashes: number[], bucket: number): number => {
  const state = new Float64Array([hashes[0] < 0 ? 0xffffffff : 0, hashes[0] >>> 0]);
  for (const next of hashes.slice(1)) ngramStep(state, next);
  return mod64(state[0], state[1], bucket, 2 ** 32 % bucket);
};

describe('fastText word n-gram hashes', () => {
  it('equal the 64-bit computation for any word hashes and bucket count up to the largest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 2, maxLength: 5 }),
        fc.oneof(fc.constantFrom(400_000, 2_000_000, MAX_BUCKETS, 1), fc.integer({ min: 1, max: MAX_BUCKETS })),
        (hashes, bucket) => expect(bucketOf(hashes, bucket)).toBe(referenceBucket(hashes, bucket)),
      ),
      { numRuns: 2_000 },
    );
  });

  it('equal it at the edges of the halves', () => {
    const edges = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 0xffff, 0x10000, -0x10000];
    for (const a of edges)
      for (const b of edges) expect(bucketOf([a, b], 400_000)).toBe(referenceBucket([a, b], 400_000));
  });
});

describe('BucketRows', () => {
  it('answers what a Map of the same buckets answers, -1 for a bucket it does not hold', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 300 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 50 }),
        (buckets, probes) => {
          const rows = new BucketRows(buckets.length);
          const map = new Map(buckets.map((bucket, row) => [bucket, row]));
          buckets.forEach((bucket, row) => rows.set(bucket, row));
          for (const bucket of [...buckets, ...probes]) expect(rows.get(bucket)).toBe(map.get(bucket) ?? -1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
