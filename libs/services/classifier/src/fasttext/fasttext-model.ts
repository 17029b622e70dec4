import type { FastTextFile, Matrix, ProductQuantizer } from './fasttext-file';
import { KSUB, Loss, readFastText } from './fasttext-file';
import { FNV_OFFSET, MAX_BUCKETS, TWO_32, fnvStep, mod64, ngramStep } from './fasttext-hash';

/*
 * fastText's supervised prediction in TypeScript, from the C++ (`Dictionary::getLine`,
 * `computeSubwords`, `addWordNgrams`, `Model::computeHidden`, the softmax, one-vs-all and
 * hierarchical-softmax losses): the average of the input rows of a line's words, their character
 * n-grams and word n-grams, times the output matrix. Same features, same hashes, same numbers as
 * `fasttext predict-prob` (the spec compares them).
 */

const EOS = '</s>';
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

/**
 * Not reentrant: a line's features are summed in buffers the model keeps (the hidden vector, the
 * line's word hashes, the n-gram hash), reused by every call instead of allocated per call; a call
 * runs to its end before the next starts.
 */
export class FastTextModel {
  private readonly encoder = new TextEncoder();
  private readonly bytes = new Uint8Array(4096);
  private readonly tree: { left: Int32Array; right: Int32Array } | null;
  private readonly slots: TokenSlots;
  private readonly hiddenBuffer: Float64Array;
  private wordHashes = new Int32Array(512);
  private readonly ngram = new Float64Array(2);
  private readonly twoPow32ModBucket: number;
  /** The best leaf of the running `topLeaf` walk. */
  private readonly best = { leaf: 0, probability: 0 };

  private constructor(private readonly file: FastTextFile) {
    this.tree = file.loss === Loss.hs ? huffmanTree(file.labelCounts) : null;
    this.slots = {
      index: new Map(),
      hashes: new Int32Array(TOKEN_CACHE_SIZE),
      rows: new Int32Array(TOKEN_CACHE_SIZE),
      sums: new Float64Array(TOKEN_CACHE_SIZE * file.dim),
    };
    this.hiddenBuffer = new Float64Array(file.dim);
    if (file.bucket > MAX_BUCKETS) throw new Error(`fastText model has ${file.bucket} buckets, above ${MAX_BUCKETS}`);
    this.twoPow32ModBucket = file.bucket > 0 ? TWO_32 % file.bucket : 0;
  }

  static fromBytes(bytes: Uint8Array): FastTextModel {
    return new FastTextModel(readFastText(bytes));
  }

  get labels(): readonly string[] {
    return this.file.labels;
  }

  /** Every label's probability for a line of whitespace-separated tokens, in label order. */
  probabilities(tokens: readonly string[]): Float64Array {
    return this.probabilitiesInto(tokens, new Float64Array(this.file.labels.length));
  }

  /**
   * `probabilities` of the line's first `count` tokens into `out` (one entry per label), which it
   * returns: with the caller's buffers, the hot path allocates nothing.
   */
  probabilitiesInto(tokens: readonly string[], out: Float64Array, count = tokens.length): Float64Array {
    const hidden = this.hidden(tokens, count);
    const { output } = this.file;
    if (hidden === null) return out.fill(0);
    if (this.tree) {
      this.leafProbabilities(hidden, out, 2 * out.length - 2, 1);
      return out;
    }
    let max = -Infinity;
    for (let i = 0; i < out.length; i++) {
      out[i] = dotRow(output, hidden, i);
      max = Math.max(max, out[i]);
    }
    if (this.file.loss === Loss.ova) {
      for (let i = 0; i < out.length; i++) out[i] = sigmoid(out[i]);
      return out;
    }
    let z = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.exp(out[i] - max);
      z += out[i];
    }
    for (let i = 0; i < out.length; i++) out[i] /= z;
    return out;
  }

  /** The most probable label for the line's first `count` tokens (ties: the first). */
  predict(tokens: readonly string[], count = tokens.length): Prediction {
    if (this.tree) {
      const hidden = this.hidden(tokens, count);
      if (hidden === null) return { label: this.file.labels[0], probability: 0 };
      this.best.leaf = 0;
      this.best.probability = 0;
      this.topLeaf(hidden, 2 * this.file.labels.length - 2, 1);
      return { label: this.file.labels[this.best.leaf], probability: this.best.probability };
    }
    const probabilities = this.probabilitiesInto(tokens, new Float64Array(this.file.labels.length), count);
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    return { label: this.file.labels[best], probability: probabilities[best] };
  }

  /**
   * The average input row of the line's features (in the model's own buffer, valid until the next
   * call), or null for a line without any.
   */
  private hidden(tokens: readonly string[], length: number): Float64Array | null {
    const { input, dim, wordNgrams, bucket } = this.file;
    const hidden = this.hiddenBuffer.fill(0);
    if (this.wordHashes.length <= length) this.wordHashes = new Int32Array(2 * (length + 1));
    const wordHashes = this.wordHashes;
    const { sums, rows, hashes } = this.slots;
    let count = 0;
    for (let t = 0; t <= length; t++) {
      const slot = this.tokenSlot(t < length ? tokens[t] : EOS);
      wordHashes[t] = hashes[slot];
      for (let n = 0, at = slot * dim; n < dim; n++) hidden[n] += sums[at + n];
      count += rows[slot];
    }
    const words = length + 1;
    const ngram = this.ngram;
    for (let i = 0; i < words; i++) {
      ngram[0] = wordHashes[i] < 0 ? 0xffffffff : 0;
      ngram[1] = wordHashes[i] >>> 0;
      for (let j = i + 1; j < words && j < i + wordNgrams; j++) {
        ngramStep(ngram, wordHashes[j]);
        const row = this.bucketRow(mod64(ngram[0], ngram[1], bucket, this.twoPow32ModBucket));
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
    return row < 0 ? -1 : nwords + row;
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
  private leafProbabilities(hidden: Float64Array, out: Float64Array, node: number, probability: number): void {
    const osz = out.length;
    if (node < osz) {
      out[node] = probability;
      return;
    }
    const f = sigmoid(dotRow(this.file.output, hidden, node - osz));
    this.leafProbabilities(hidden, out, this.tree!.left[node], probability * (1 - f));
    this.leafProbabilities(hidden, out, this.tree!.right[node], probability * f);
  }

  /** The likeliest leaf, best branch first: a subtree less likely than the best leaf so far is skipped. */
  private topLeaf(hidden: Float64Array, node: number, probability: number): void {
    if (probability <= this.best.probability) return;
    const tree = this.tree!;
    const osz = this.file.labels.length;
    if (node < osz) {
      this.best.leaf = node;
      this.best.probability = probability;
      return;
    }
    const f = sigmoid(dotRow(this.file.output, hidden, node - osz));
    const likelier = f > 0.5 ? tree.right[node] : tree.left[node];
    const other = f > 0.5 ? tree.left[node] : tree.right[node];
    this.topLeaf(hidden, likelier, probability * Math.max(f, 1 - f));
    this.topLeaf(hidden, other, probability * Math.min(f, 1 - f));
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
