import { randomBytes } from 'node:crypto';

import { CredentialSealError, openCredential, sealCredential } from './credential-cipher';

const key = randomBytes(32);
const id = '7f0c2a4e-1111-4222-8333-944455556666';

/** Flips one bit of one part (1 = IV, 2 = tag, 3 = ciphertext) of a sealed value. */
const flip = (sealed: string, part: number): string => {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
};

describe('credential cipher', () => {
  it('opens what it sealed, and never shows the plaintext in the sealed value', () => {
    const sealed = sealCredential(key, id, 'sk-live-secret-value');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('secret');
    expect(openCredential(key, id, sealed)).toBe('sk-live-secret-value');
  });

  it('uses a fresh 96-bit IV for every value', () => {
    const first = sealCredential(key, id, 'same');
    const second = sealCredential(key, id, 'same');
    expect(first).not.toBe(second);
    expect(Buffer.from(first.split('.')[1]!, 'base64url')).toHaveLength(12);
  });

  it.each([
    ['the IV', 1],
    ['the auth tag', 2],
    ['the ciphertext', 3],
  ])('detects a flipped bit in %s', (_part, index) => {
    const sealed = sealCredential(key, id, 'sk-live-secret-value');
    expect(() => openCredential(key, id, flip(sealed, index))).toThrow(CredentialSealError);
  });

  it('refuses another key, another credential id, and malformed values', () => {
    const sealed = sealCredential(key, id, 'sk-live-secret-value');
    expect(() => openCredential(randomBytes(32), id, sealed)).toThrow(CredentialSealError);
    expect(() => openCredential(key, 'another-id', sealed)).toThrow(CredentialSealError);
    for (const bad of ['', 'v1', 'v2.a.b.c', `${sealed}.extra`, sealed.replace(/\.[\w-]+$/, '.')])
      expect(() => openCredential(key, id, bad)).toThrow(CredentialSealError);
  });

  it('names no secret in its error', () => {
    const sealed = sealCredential(key, id, 'sk-live-secret-value');
    expect(() => openCredential(key, 'x', sealed)).toThrow(/does not open/);
    try {
      openCredential(key, 'x', sealed);
    } catch (error) {
      expect(String(error)).not.toContain('sk-live');
    }
  });
});
