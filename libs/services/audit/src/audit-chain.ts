import { createHash } from 'node:crypto';

import type { AuditRecorded } from '@polymux/contracts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

/** `prev_hash` of the first record of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The chain of records stored before chains were per tenant: frozen, verified as it was. */
export const LEGACY_CHAIN = 'legacy';

/** Each organisation has its own chain; records without one share `no-org`. */
export const chainIdOf = (orgId: string | null): string => (orgId === null ? 'no-org' : `org:${orgId}`);

/** JSON with object keys sorted at every depth and no whitespace: one text per value. Undefined members are left out. */
export const canonicalJson = (value: JsonValue): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/** Links a record to its chain: sha256(prevHash ‖ canonical JSON of the record), hex. */
export const chainHash = (prevHash: string, record: AuditRecorded): string =>
  createHash('sha256').update(prevHash).update(canonicalJson(record)).digest('hex');

export type ChainBreak =
  | 'prev_hash does not link'
  | 'hash does not match'
  | 'position does not follow'
  | 'seq out of order'
  | 'records missing at the end'
  | 'head does not match'
  | 'chain has no head';

export type ChainVerification =
  | { chainId: string; valid: true; records: number; head: string }
  | {
      chainId: string;
      valid: false;
      /** Records that verified before the break. */
      records: number;
      reason: ChainBreak;
      /** The first record that breaks the chain; null when it is missing (deleted from the end). */
      brokenAt: BrokenAt;
    };

/** Where a chain breaks, and what the verifier expected there against what it found. */
export interface BrokenAt {
  id: string | null;
  seq: number | null;
  position: number;
  /** Hashes for a broken link, record or head; positions, seqs or lengths for a record out of place or missing. */
  expected: string;
  found: string;
}

/** One stored record as the verifier walks it. */
export interface ChainLink {
  seq: number;
  position: number;
  record: AuditRecorded;
  prevHash: string;
  hash: string;
}

/** Walks one chain in position order and reports the first record that breaks it. */
export class ChainVerifier {
  private previous = GENESIS_HASH;
  private previousSeq = 0;
  private count = 0;

  constructor(readonly chainId: string) {}

  /** Checks the next record; a verification result when it breaks the chain, undefined otherwise. */
  check(link: ChainLink): ChainVerification | undefined {
    const at = (expected: string, found: string) => ({
      id: link.record.id,
      seq: link.seq,
      position: link.position,
      expected,
      found,
    });
    if (link.prevHash !== this.previous)
      return this.broken('prev_hash does not link', at(this.previous, link.prevHash));
    const hash = chainHash(link.prevHash, link.record);
    if (link.hash !== hash) return this.broken('hash does not match', at(hash, link.hash));
    if (link.position !== this.count + 1)
      return this.broken('position does not follow', at(`position ${this.count + 1}`, `position ${link.position}`));
    if (link.seq <= this.previousSeq)
      return this.broken('seq out of order', at(`seq above ${this.previousSeq}`, `seq ${link.seq}`));
    this.previous = link.hash;
    this.previousSeq = link.seq;
    this.count += 1;
    return undefined;
  }

  /** The verdict once every record was checked, against the chain's stored head. */
  finish(head: { hash: string; length: number } | undefined): ChainVerification {
    const next = (expected: string, found: string) => ({
      id: null,
      seq: null,
      position: this.count + 1,
      expected,
      found,
    });
    if (!head) return this.broken('chain has no head', next(`a head at ${this.previous}`, 'no head'));
    if (head.length > this.count)
      return this.broken('records missing at the end', next(`length ${head.length}`, `length ${this.count}`));
    if (head.length !== this.count)
      return this.broken('head does not match', next(`length ${this.count}`, `length ${head.length}`));
    if (head.hash !== this.previous) return this.broken('head does not match', next(this.previous, head.hash));
    return { chainId: this.chainId, valid: true, records: this.count, head: this.previous };
  }

  private broken(reason: ChainBreak, brokenAt: BrokenAt) {
    return { chainId: this.chainId, valid: false as const, records: this.count, reason, brokenAt };
  }
}
