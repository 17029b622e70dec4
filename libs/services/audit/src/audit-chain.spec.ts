import type { AuditRecorded } from '@polymux/contracts';

import { ChainVerifier, GENESIS_HASH, canonicalJson, chainHash } from './audit-chain';

const record = (id: string, metadata: AuditRecorded['metadata'] = {}): AuditRecorded => ({
  id,
  category: 'admin',
  action: 'key.create',
  outcome: 'success',
  actorKeyId: 'key-1',
  orgId: 'org-1',
  projectId: null,
  requestId: null,
  target: 'key:2',
  metadata,
  occurredAt: '2026-01-02T03:04:05.678Z',
});

describe('audit hash chain', () => {
  it('writes one canonical JSON per value, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null, 'x'], c: 2.5 } })).toBe(
      '{"a":{"c":2.5,"d":[true,null,"x"]},"b":1}',
    );
    expect(canonicalJson({ z: 1, a: 2 })).toBe(canonicalJson({ a: 2, z: 1 }));
    expect(canonicalJson('quote " and \\')).toBe(JSON.stringify('quote " and \\'));
  });

  it('hashes the previous hash with the record, so any change of either changes the hash', () => {
    const hash = chainHash(GENESIS_HASH, record('a', { tokens: 3 }));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, record('a', { tokens: 3 }))).toBe(hash);
    expect(chainHash(GENESIS_HASH, record('a', { tokens: 4 }))).not.toBe(hash);
    expect(chainHash('f'.repeat(64), record('a', { tokens: 3 }))).not.toBe(hash);
  });

  it('accepts an intact chain and names the first record that breaks one', () => {
    const records = [record('a'), record('b'), record('c')];
    const links: Array<{ prev: string; hash: string }> = [];
    let prev = GENESIS_HASH;
    for (const item of records) {
      const hash = chainHash(prev, item);
      links.push({ prev, hash });
      prev = hash;
    }
    const verify = (tamper: (index: number, item: AuditRecorded) => AuditRecorded = (_index, item) => item) => {
      const verifier = new ChainVerifier();
      for (const [index, item] of records.entries()) {
        const broken = verifier.check(index + 1, tamper(index, item), links[index].prev, links[index].hash);
        if (broken) return broken;
      }
      return verifier.result();
    };
    expect(verify()).toEqual({ valid: true, records: 3, head: prev });
    expect(verify((index, item) => (index === 1 ? { ...item, outcome: 'failure' } : item))).toEqual({
      valid: false,
      records: 1,
      brokenAtSeq: 2,
      reason: 'hash does not match',
    });
    const verifier = new ChainVerifier();
    expect(verifier.check(1, records[1], links[1].prev, links[1].hash)).toMatchObject({
      reason: 'prev_hash does not link',
    });
  });
});
