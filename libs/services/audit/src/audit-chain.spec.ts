import type { AuditRecorded } from '@polymux/contracts';

import type { ChainLink, ChainVerification } from './audit-chain';
import { ChainVerifier, GENESIS_HASH, canonicalJson, chainHash, chainIdOf } from './audit-chain';

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

/** A valid chain of `ids`, seq 10, 20, 30, … */
const chainOf = (ids: string[]): ChainLink[] => {
  let prev = GENESIS_HASH;
  return ids.map((id, index) => {
    const hash = chainHash(prev, record(id));
    const link = { seq: (index + 1) * 10, position: index + 1, record: record(id), prevHash: prev, hash };
    prev = hash;
    return link;
  });
};

const verify = (links: ChainLink[], head: { hash: string; length: number } | undefined): ChainVerification => {
  const verifier = new ChainVerifier('org:org-1');
  for (const link of links) {
    const broken = verifier.check(link);
    if (broken) return broken;
  }
  return verifier.finish(head);
};

describe('audit hash chain', () => {
  const links = chainOf(['a', 'b', 'c']);
  const head = { hash: links[2].hash, length: 3 };

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

  it('leaves undefined members out, as JSON does, so optional fields absent hash as before', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    const withAbsent = { ...record('a'), actorUserId: undefined, before: undefined };
    expect(chainHash(GENESIS_HASH, withAbsent)).toBe(chainHash(GENESIS_HASH, record('a')));
  });

  it('gives each organisation its own chain and records without one a shared chain', () => {
    expect(chainIdOf('org-1')).toBe('org:org-1');
    expect(chainIdOf('org-2')).not.toBe(chainIdOf('org-1'));
    expect(chainIdOf(null)).toBe('no-org');
    expect(chainIdOf('no-org')).not.toBe(chainIdOf(null));
  });

  it('accepts an intact chain that ends at its head', () => {
    expect(verify(links, head)).toEqual({ chainId: 'org:org-1', valid: true, records: 3, head: head.hash });
    expect(verify([], { hash: GENESIS_HASH, length: 0 })).toMatchObject({ valid: true, records: 0 });
  });

  it('names the first record that was edited', () => {
    const edited = links.map((link, index) =>
      index === 1 ? { ...link, record: { ...link.record, outcome: 'failure' as const } } : link,
    );
    expect(verify(edited, head)).toEqual({
      chainId: 'org:org-1',
      valid: false,
      records: 1,
      reason: 'hash does not match',
      // What the edited record hashes to now, against the hash stored with it.
      brokenAt: {
        id: 'b',
        seq: 20,
        position: 2,
        expected: chainHash(links[0].hash, edited[1].record),
        found: links[1].hash,
      },
    });
  });

  it('names the record after one that was deleted, and a missing end', () => {
    // The record after the gap links to the deleted one: the chain expected the hash of the one before.
    expect(verify([links[0], links[2]], head)).toMatchObject({
      reason: 'prev_hash does not link',
      brokenAt: { id: 'c', position: 3, expected: links[0].hash, found: links[1].hash },
    });
    expect(verify(links.slice(0, 2), head)).toMatchObject({
      records: 2,
      reason: 'records missing at the end',
      brokenAt: { id: null, seq: null, position: 3, expected: 'length 3', found: 'length 2' },
    });
    expect(verify(links, undefined)).toMatchObject({ reason: 'chain has no head' });
    expect(verify(links, { hash: links[1].hash, length: 3 })).toMatchObject({
      reason: 'head does not match',
      brokenAt: { expected: links[2].hash, found: links[1].hash },
    });
  });

  it('names the first record out of order', () => {
    expect(verify([links[1], links[0], links[2]], head)).toMatchObject({
      reason: 'prev_hash does not link',
      brokenAt: { id: 'b' },
    });
    expect(verify([links[0], { ...links[1], position: 5 }, links[2]], head)).toMatchObject({
      reason: 'position does not follow',
      brokenAt: { id: 'b', position: 5, expected: 'position 2', found: 'position 5' },
    });
    expect(verify([links[0], { ...links[1], seq: 5 }, links[2]], head)).toMatchObject({
      reason: 'seq out of order',
      brokenAt: { id: 'b', seq: 5, expected: 'seq above 10', found: 'seq 5' },
    });
  });
});
