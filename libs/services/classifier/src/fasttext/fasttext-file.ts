/*
 * Reads a fastText model file (`.bin` or quantized `.ftz`, format version 12 as fastText 0.9 writes
 * it) into typed arrays: the arguments, the dictionary and the input and output matrices. Layout
 * from fastText's `FastText::loadModel`, `Args::load`, `Dictionary::load`, `DenseMatrix::load`,
 * `QuantMatrix::load` and `ProductQuantizer::load` (all little-endian, sizes as in the C++ structs).
 */

const MAGIC = 793_712_314;
const MAX_VERSION = 12;
/** A product quantizer's centroids per sub-space (fastText's `ksub_`, 8 bits a code). */
export const KSUB = 256;

export const Loss = { hs: 1, ns: 2, softmax: 3, ova: 4 } as const;

export interface ProductQuantizer {
  nsubq: number;
  dsub: number;
  lastdsub: number;
  centroids: Float32Array;
}

/** A matrix whose rows are either floats or product-quantized codes (with optional quantized norms). */
export type Matrix =
  | { kind: 'dense'; rows: number; cols: number; data: Float32Array }
  | {
      kind: 'quant';
      rows: number;
      cols: number;
      codes: Uint8Array;
      pq: ProductQuantizer;
      norms?: { codes: Uint8Array; pq: ProductQuantizer };
    };

export interface FastTextFile {
  dim: number;
  wordNgrams: number;
  loss: number;
  bucket: number;
  minn: number;
  maxn: number;
  /** Word → input row, for the `nwords` words; labels follow them in the file. */
  words: Map<string, number>;
  nwords: number;
  labels: string[];
  labelCounts: number[];
  /** Bucket → input row offset after `nwords` (quantized with a cutoff); null: every bucket has its row. */
  pruned: BucketRows | null;
  input: Matrix;
  output: Matrix;
}

/**
 * The buckets a quantized model kept and their rows: open addressing with linear probing over two
 * typed arrays (at most half full), looked up for every word pair of every line — a `Map` of
 * numbers costs a hash of a boxed key and an entry object per bucket; this, a multiply and a load.
 */
export class BucketRows {
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly shift: number;

  constructor(size: number) {
    const bits = Math.max(4, Math.ceil(Math.log2(2 * Math.max(1, size))));
    this.keys = new Int32Array(2 ** bits).fill(-1);
    this.values = new Int32Array(2 ** bits);
    this.shift = 32 - bits;
  }

  /** Fibonacci hashing of a bucket (0 ≤ bucket < 2^31) to its first slot. */
  private slot(bucket: number): number {
    return Math.imul(bucket, 0x9e3779b1) >>> this.shift;
  }

  set(bucket: number, row: number): void {
    const mask = this.keys.length - 1;
    let at = this.slot(bucket);
    while (this.keys[at] !== -1 && this.keys[at] !== bucket) at = (at + 1) & mask;
    this.keys[at] = bucket;
    this.values[at] = row;
  }

  /** The bucket's row, or -1 when it was pruned. */
  get(bucket: number): number {
    const mask = this.keys.length - 1;
    for (let at = this.slot(bucket); ; at = (at + 1) & mask) {
      const key = this.keys[at];
      if (key === bucket) return this.values[at];
      if (key === -1) return -1;
    }
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(size: number): number {
    if (this.offset + size > this.bytes.byteLength) throw new Error('fastText model file is truncated');
    const at = this.offset;
    this.offset += size;
    return at;
  }

  i32 = (): number => this.view.getInt32(this.take(4), true);
  /** 64-bit sizes are read as numbers: every count in a model file is far below 2^53. */
  i64 = (): number => Number(this.view.getBigInt64(this.take(8), true));
  f64 = (): number => this.view.getFloat64(this.take(8), true);
  u8 = (): number => this.view.getUint8(this.take(1));
  bool = (): boolean => this.u8() !== 0;

  /** A copy, aligned for a typed-array view. */
  bytesOf = (size: number): Uint8Array => this.bytes.slice(this.take(size), this.offset);
  floats = (count: number): Float32Array => {
    const at = this.take(count * 4);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.view.getFloat32(at + i * 4, true);
    return out;
  };

  cString = (): string => {
    const end = this.bytes.indexOf(0, this.offset);
    if (end < 0) throw new Error('fastText model file is truncated');
    const text = Buffer.from(this.bytes.subarray(this.offset, end)).toString('utf8');
    this.offset = end + 1;
    return text;
  };
}

const productQuantizer = (read: Reader): ProductQuantizer => {
  const dim = read.i32();
  const nsubq = read.i32();
  const dsub = read.i32();
  const lastdsub = read.i32();
  return { nsubq, dsub, lastdsub, centroids: read.floats(dim * KSUB) };
};

const matrix = (read: Reader, quantized: boolean): Matrix => {
  if (!quantized) {
    const rows = read.i64();
    const cols = read.i64();
    return { kind: 'dense', rows, cols, data: read.floats(rows * cols) };
  }
  const qnorm = read.bool();
  const rows = read.i64();
  const cols = read.i64();
  const codes = read.bytesOf(read.i32());
  const pq = productQuantizer(read);
  const norms = qnorm ? { codes: read.bytesOf(rows), pq: productQuantizer(read) } : undefined;
  return { kind: 'quant', rows, cols, codes, pq, ...(norms ? { norms } : {}) };
};

export const readFastText = (bytes: Uint8Array): FastTextFile => {
  const read = new Reader(bytes);
  if (read.i32() !== MAGIC) throw new Error('not a fastText model file');
  if (read.i32() > MAX_VERSION) throw new Error('fastText model file version is newer than this reader');
  const dim = read.i32();
  read.i32(); // ws
  read.i32(); // epoch
  read.i32(); // minCount
  read.i32(); // neg
  const wordNgrams = read.i32();
  const loss = read.i32();
  read.i32(); // model
  const bucket = read.i32();
  const minn = read.i32();
  const maxn = read.i32();
  read.i32(); // lrUpdateRate
  read.f64(); // t

  const size = read.i32();
  const nwords = read.i32();
  read.i32(); // nlabels
  read.i64(); // ntokens
  const prunedSize = read.i64();
  const words = new Map<string, number>();
  const labels: string[] = [];
  const labelCounts: number[] = [];
  for (let i = 0; i < size; i++) {
    const word = read.cString();
    const count = read.i64();
    if (read.u8() === 0) words.set(word, i);
    else {
      labels.push(word);
      labelCounts.push(count);
    }
  }
  let pruned: BucketRows | null = null;
  if (prunedSize >= 0) {
    pruned = new BucketRows(prunedSize);
    for (let i = 0; i < prunedSize; i++) pruned.set(read.i32(), read.i32());
  }
  const input = matrix(read, read.bool());
  const output = matrix(read, read.bool());
  return { dim, wordNgrams, loss, bucket, minn, maxn, words, nwords, labels, labelCounts, pruned, input, output };
};
