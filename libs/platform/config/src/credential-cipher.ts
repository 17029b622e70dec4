import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Format version of a sealed value: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
/** 96 bits, GCM's native IV size; random per value, so one key seals 2^32 values safely. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that does not open: wrong key, altered bytes, or sealed for another credential id. */
export class CredentialSealError extends Error {
  constructor() {
    super('the stored credential does not open with this key (tampered, or sealed with another key)');
    this.name = 'CredentialSealError';
  }
}

/**
 * Seals a provider credential with AES-256-GCM. The credential's id is the additional authenticated
 * data, so a sealed value copied onto another credential's row does not open there either.
 */
export const sealCredential = (key: Buffer, id: string, plaintext: string): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(id, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
};

/** Opens what `sealCredential` sealed for `id`; throws `CredentialSealError` unless the tag checks. */
export const openCredential = (key: Buffer, id: string, sealed: string): string => {
  const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0)
    throw new CredentialSealError();
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new CredentialSealError();
  try {
    const decipher = createDecipheriv(ALGORITHM, key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new CredentialSealError();
  }
};
