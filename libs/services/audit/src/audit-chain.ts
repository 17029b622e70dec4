import { createHash } from 'node:crypto';

import type { AuditRecorded } from '@polymux/contracts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth and no whitespace: one text per value. */
export const canonicalJson = (value: JsonValue): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/** Links a record to the chain: sha256(prevHash ‖ canonical JSON of the record), hex. */
export const chainHash = (prevHash: string, record: AuditRecorded): string =>
  createHash('sha256').update(prevHash).update(canonicalJson(record)).digest('hex');

export type ChainVerification =
  | { valid: true; records: number; head: string }
  | { valid: false; records: number; brokenAtSeq: number; reason: 'prev_hash does not link' | 'hash does not match' };

/** Walks records in `seq` order and reports the first one that breaks the chain. */
export class ChainVerifier {
  private previous = GENESIS_HASH;
  private count = 0;

  /** Checks the next record; a verification result when it breaks the chain, undefined otherwise. */
  check(seq: number, record: AuditRecorded, prevHash: string, hash: string): ChainVerification | undefined {
    if (prevHash !== this.previous) return this.broken(seq, 'prev_hash does not link');
    if (hash !== chainHash(prevHash, record)) return this.broken(seq, 'hash does not match');
    this.previous = hash;
    this.count += 1;
    return undefined;
  }

  result(): ChainVerification {
    return { valid: true, records: this.count, head: this.previous };
  }

  private broken(seq: number, reason: 'prev_hash does not link' | 'hash does not match'): ChainVerification {
    return { valid: false, records: this.count, brokenAtSeq: seq, reason };
  }
}
