import type { FastTextFile, Matrix, ProductQuantizer } from './fasttext-file';
import { KSUB, Loss, readFastText } from './fasttext-file';

/*
 * fastText's supervised prediction in TypeScript, from the C++ (`Dictionary::getLine`,
 * `computeSubwords`, `addWordNgrams`, `Model::computeHidden`, the softmax, one-vs-all and
 * hierarchical-softmax losses): the average of the input rows of a line's words, their character
 * n-grams and word n-grams, times the output matrix. Same features, same hashes, same numbers as
 * `fasttext predict-prob` (the spec compares them).
 */

const EOS = '</s>';
const FNV_OFFSET = 2_166_136_261 | 0;
const FNV_PRIME = 16_777_619;
const WORD_NGRAM_PRIME = 116_049_371;
const TWO_32 = 4_294_967_296;

/**
 * FNV-1a over UTF-8 bytes, each byte sign-extended as fastText's `hash` does. Kept as an int32 (the
 * same bits as fastText's uint32) so that it stays a small integer; `>>> 0` where the value matters.
 */
const fnvStep = (hash: number, byte: number): number => Math.imul(hash ^ ((byte << 24) >> 24), FNV_PRIME);

const MAX_SIGMOID = 8;
const SIGMOID_TABLE_SIZE = 512;
/** fastText's sigmoid lookup table (`Loss::t_sigmoid_`, float entries), which its losses read instead of `exp`. */
const SIGMOID_TABLE = Float64Array.from({ length: SIGMOID_TABLE_SIZE + 1 }, (_, i) =>
  Math.fround(1 / (1 + Math.exp(-((i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE - MAX_SIGMOID)))),
);

/** `Loss::sigmoid`: 0 and 1 beyond ±8, the table's entry in between (so a sure label scores exactly 1, as the CLI prints). */
const sigmoid = (x: number): number =>
  x < -MAX_SIGMOID
    ? 0
    : x > MAX_SIGMOID
      ? 1
      : SIGMOID_TABLE[Math.trunc(((x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE) / MAX_SIGMOID / 2)]!;

const centroid = (pq: ProductQuantizer, m: number, code: number): number =>
  m === pq.nsubq - 1 ? m * KSUB * pq.dsub + code * pq.lastdsub : (m * KSUB + code) * pq.dsub;

/** x += a · row i (fastText's `addRowToVector`). */
const addRow = (matrix: Matrix, x: Float64Array, i: number, a: number): void => {
  if (matrix.kind === 'dense') {
    const at = i * matrix.cols;
    for (let n = 0; n < matrix.cols; n++) x[n] += a * matrix.data[at + n];
    return;
  }
  const { pq, codes, norms } = matrix;
  const scale = norms ? a * norms.pq.centroids[centroid(norms.pq, 0, norms.codes[i])] : a;
  const base = pq.nsubq * i;
  for (let m = 0; m < pq.nsubq; m++) {
    const c = centroid(pq, m, codes[base + m]);
    const d = m === pq.nsubq - 1 ? pq.lastdsub : pq.dsub;
    const at = m * pq.dsub;
    for (let n = 0; n < d; n++) x[at + n] += scale * pq.centroids[c + n];
  }
};

/** row i · x (fastText's `dotRow`). */
const dotRow = (matrix: Matrix, x: Float64Array, i: number): number => {
  if (matrix.kind === 'dense') {
    let sum = 0;
    const at = i * matrix.cols;
    for (let n = 0; n < matrix.cols; n++) sum += x[n] * matrix.data[at + n];
    return sum;
  }
  const { pq, codes, norms } = matrix;
  let sum = 0;
  const base = pq.nsubq * i;
  for (let m = 0; m < pq.nsubq; m++) {
    const c = centroid(pq, m, codes[base + m]);
    const d = m === pq.nsubq - 1 ? pq.lastdsub : pq.dsub;
    const at = m * pq.dsub;
    for (let n = 0; n < d; n++) sum += x[at + n] * pq.centroids[c + n];
  }
  return norms ? sum * norms.pq.centroids[centroid(norms.pq, 0, norms.codes[i])] : sum;
};

/** (h · 116049371 + next) mod 2^64 on a 64-bit value held as two 32-bit halves. */
const ngramStep = (hi: number, lo: number, next: number): [number, number] => {
  const low = (lo & 0xffff) * WORD_NGRAM_PRIME;
  const high = (lo >>> 16) * WORD_NGRAM_PRIME;
  const sum = (high % 0x10000) * 0x10000 + low;
  let newLo = sum % TWO_32;
  let newHi = (Math.imul(hi, WORD_NGRAM_PRIME) + Math.floor(high / 0x10000) + Math.floor(sum / TWO_32)) >>> 0;
  // `next` is an int32 sign-extended to 64 bits.
  newLo += next >>> 0;
  if (newLo >= TWO_32) {
    newLo -= TWO_32;
    newHi = (newHi + 1) >>> 0;
  }
  if (next < 0) newHi = (newHi + 0xffffffff) >>> 0;
  return [newHi, newLo];
};

const mod64 = (hi: number, lo: number, m: number): number => ((((((hi % m) * 0x10000) % m) * 0x10000) % m) + lo) % m;

/** Distinct tokens whose features are kept: 20,000 × dim floats, 5 MB at dim 32. */
const TOKEN_CACHE_SIZE = 20_000;

interface TokenSlots {
  index: Map<string, number>;
  /** Each word's hash as an int32, for word n-grams. */
  hashes: Int32Array;
  /** How many input rows each word has, and their sum. */
  rows: Int32Array;
  sums: Float64Array;
}

export interface Prediction {
  label: string;
  probability: number;
}

export class FastTextModel {
  private readonly encoder = new TextEncoder();
  private readonly bytes = new Uint8Array(4096);
  private readonly tree: { left: Int32Array; right: Int32Array } | null;
  private readonly slots: TokenSlots;

  private constructor(private readonly file: FastTextFile) {
    this.tree = file.loss === Loss.hs ? huffmanTree(file.labelCounts) : null;
    this.slots = {
      index: new Map(),
      hashes: new Int32Array(TOKEN_CACHE_SIZE),
      rows: new Int32Array(TOKEN_CACHE_SIZE),
      sums: new Float64Array(TOKEN_CACHE_SIZE * file.dim),
    };
  }

  static fromBytes(bytes: Uint8Array): FastTextModel {
    return new FastTextModel(readFastText(bytes));
  }

  get labels(): readonly string[] {
    return this.file.labels;
  }

  /** Every label's probability for a line of whitespace-separated tokens, in label order. */
  probabilities(tokens: readonly string[]): Float64Array {
    const hidden = this.hidden(tokens);
    const { output, labels } = this.file;
    const out = new Float64Array(labels.length);
    if (hidden === null) return out;
    if (this.tree) return this.leafProbabilities(hidden);
    let max = -Infinity;
    for (let i = 0; i < out.length; i++) {
      out[i] = dotRow(output, hidden, i);
      max = Math.max(max, out[i]);
    }
    if (this.file.loss === Loss.ova) return out.map(sigmoid);
    let z = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.exp(out[i] - max);
      z += out[i];
    }
    for (let i = 0; i < out.length; i++) out[i] /= z;
    return out;
  }

  /** The most probable label (ties: the first). */
  predict(tokens: readonly string[]): Prediction {
    if (this.tree) {
      const hidden = this.hidden(tokens);
      return hidden === null ? { label: this.file.labels[0], probability: 0 } : this.topLeaf(hidden);
    }
    const probabilities = this.probabilities(tokens);
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    return { label: this.file.labels[best], probability: probabilities[best] };
  }

  /** The average input row of the line's features, or null for a line without any. */
  private hidden(tokens: readonly string[]): Float64Array | null {
    const { input, dim, wordNgrams, bucket } = this.file;
    const hidden = new Float64Array(dim);
    const wordHashes: number[] = [];
    let count = 0;
    const addToken = (token: string) => {
      const slot = this.tokenSlot(token);
      wordHashes.push(this.slots.hashes[slot]);
      const sums = this.slots.sums;
      for (let n = 0, at = slot * dim; n < dim; n++) hidden[n] += sums[at + n];
      count += this.slots.rows[slot];
    };
    for (const token of tokens) addToken(token);
    addToken(EOS);
    for (let i = 0; i < wordHashes.length; i++) {
      let hi = wordHashes[i] < 0 ? 0xffffffff : 0;
      let lo = wordHashes[i] >>> 0;
      for (let j = i + 1; j < wordHashes.length && j < i + wordNgrams; j++) {
        [hi, lo] = ngramStep(hi, lo, wordHashes[j]);
        const row = this.bucketRow(mod64(hi, lo, bucket));
        if (row >= 0) {
          addRow(input, hidden, row, 1);
          count++;
        }
      }
    }
    if (count === 0) return null;
    for (let n = 0; n < dim; n++) hidden[n] /= count;
    return hidden;
  }

  /**
   * The cache slot of a token's word hash and the sum of its input rows (its word row if known, its
   * character n-grams): prompts repeat words, and a cached word costs one vector add instead of one
   * per n-gram. The cache is three flat arrays, not an object per word, so that it costs the garbage
   * collector nothing; it starts over when full.
   */
  private tokenSlot(token: string): number {
    const cached = this.slots.index.get(token);
    if (cached !== undefined) return cached;
    if (this.slots.index.size >= TOKEN_CACHE_SIZE) this.slots.index.clear();
    const slot = this.slots.index.size;
    const rows: number[] = [];
    const id = this.file.words.get(token);
    if (id !== undefined) rows.push(id);
    if (token !== EOS) this.subwords(token, rows);
    const dim = this.file.dim;
    const sum = this.slots.sums.subarray(slot * dim, (slot + 1) * dim);
    sum.fill(0);
    for (const row of rows) addRow(this.file.input, sum, row, 1);
    this.slots.hashes[slot] = this.hash(token);
    this.slots.rows[slot] = rows.length;
    this.slots.index.set(token, slot);
    return slot;
  }

  /** A bucket's input row, or -1 when quantization pruned it. */
  private bucketRow(id: number): number {
    const { pruned, nwords } = this.file;
    if (pruned === null) return nwords + id;
    const row = pruned.get(id);
    return row === undefined ? -1 : nwords + row;
  }

  private hash(token: string): number {
    const length = this.utf8(token);
    let hash = FNV_OFFSET;
    for (let i = 0; i < length; i++) hash = fnvStep(hash, this.bytes[i]);
    return hash;
  }

  /** The character n-grams (minn..maxn characters) of `<token>`, as `computeSubwords` hashes them. */
  private subwords(token: string, rows: number[]): void {
    const { minn, maxn, bucket } = this.file;
    if (maxn <= 0) return;
    const length = this.utf8(`<${token}>`);
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) {
      if ((bytes[i] & 0xc0) === 0x80) continue;
      let hash = FNV_OFFSET;
      for (let j = i, n = 1; j < length && n <= maxn; n++) {
        hash = fnvStep(hash, bytes[j++]);
        while (j < length && (bytes[j] & 0xc0) === 0x80) hash = fnvStep(hash, bytes[j++]);
        if (n >= minn && !(n === 1 && (i === 0 || j === length))) {
          const row = this.bucketRow((hash >>> 0) % bucket);
          if (row >= 0) rows.push(row);
        }
      }
    }
  }

  /** The token's UTF-8 bytes into the scratch buffer (a longer token is cut, as no real word is). */
  private utf8(text: string): number {
    return this.encoder.encodeInto(text, this.bytes).written;
  }

  /** Hierarchical softmax: each leaf's probability is the product of the sigmoids on its path. */
  private leafProbabilities(hidden: Float64Array): Float64Array {
    const tree = this.tree!;
    const osz = this.file.labels.length;
    const out = new Float64Array(osz);
    const walk = (node: number, probability: number): void => {
      if (node < osz) {
        out[node] = probability;
        return;
      }
      const f = sigmoid(dotRow(this.file.output, hidden, node - osz));
      walk(tree.left[node], probability * (1 - f));
      walk(tree.right[node], probability * f);
    };
    walk(2 * osz - 2, 1);
    return out;
  }

  /** The likeliest leaf, best branch first: a subtree less likely than the best leaf so far is skipped. */
  private topLeaf(hidden: Float64Array): Prediction {
    const tree = this.tree!;
    const osz = this.file.labels.length;
    let best = 0;
    let bestProbability = 0;
    const walk = (node: number, probability: number): void => {
      if (probability <= bestProbability) return;
      if (node < osz) {
        best = node;
        bestProbability = probability;
        return;
      }
      const f = sigmoid(dotRow(this.file.output, hidden, node - osz));
      const [first, second] = f > 0.5 ? [tree.right, tree.left] : [tree.left, tree.right];
      walk(first[node], probability * Math.max(f, 1 - f));
      walk(second[node], probability * Math.min(f, 1 - f));
    };
    walk(2 * osz - 2, 1);
    return { label: this.file.labels[best], probability: bestProbability };
  }
}

/** fastText's `buildTree`: a Huffman tree over the label counts (labels sorted by count, descending). */
const huffmanTree = (counts: readonly number[]): { left: Int32Array; right: Int32Array } => {
  const osz = counts.length;
  const size = Math.max(2 * osz - 1, 1);
  const count = new Float64Array(size).fill(1e15);
  const left = new Int32Array(size).fill(-1);
  const right = new Int32Array(size).fill(-1);
  counts.forEach((value, i) => (count[i] = value));
  let leaf = osz - 1;
  let node = osz;
  for (let i = osz; i < 2 * osz - 1; i++) {
    const pick = () => (leaf >= 0 && count[leaf] < count[node] ? leaf-- : node++);
    const a = pick();
    const b = pick();
    left[i] = a;
    right[i] = b;
    count[i] = count[a] + count[b];
  }
  return { left, right };
};
