import type { AuditRecorded, AuditState } from '@polymux/contracts';
import { redactSecrets } from '@polymux/contracts';

type Json = AuditState[string];

/** What a secret field's value becomes in the audit trail: the field is kept, so the change shows. */
export const REDACTED = '[redacted]';

/** Words of a field name that make it a secret: `secretAccessKey`, `key_hash`, `apiKey`, `value` (a credential's). */
const SECRET_WORDS = new Set([
  'secret',
  'password',
  'passphrase',
  'token',
  'hash',
  'sealed',
  'credential',
  'credentials',
  'authorization',
  'cookie',
  'signature',
  'private',
  'key',
  'apikey',
  'value',
]);
/** Last words of a field that names a secret without holding it: `credentialRef`, `keyId`, `secretPrefix`. */
const REFERENCE_WORDS = new Set(['ref', 'id', 'ids', 'prefix', 'name', 'at', 'count']);

/** `secretAccessKey`, `secret_access_key` and `secret-access-key`: ['secret', 'access', 'key']. */
const wordsOf = (field: string): string[] =>
  field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

export const isSecretField = (field: string): boolean => {
  const words = wordsOf(field);
  if (words.length === 0 || REFERENCE_WORDS.has(words[words.length - 1]!)) return false;
  return words.some((word) => SECRET_WORDS.has(word));
};

const cleaned = (value: Json): Json => {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(cleaned);
  if (value !== null && typeof value === 'object') return withoutSecrets(value);
  return value;
};

/**
 * A state as the audit trail may keep it: the value of every secret-named field (at any depth)
 * replaced by `[redacted]`, and anything shaped like a key, token or private key in the other
 * strings too. Never a key secret, hash, webhook secret or credential.
 */
export const withoutSecrets = (state: AuditState): AuditState =>
  Object.fromEntries(
    Object.entries(state).map(([field, value]) => [field, isSecretField(field) ? REDACTED : cleaned(value)]),
  );

/** Metadata as the audit trail may keep it, by the same rules as `withoutSecrets`. */
export const metadataWithoutSecrets = (metadata: AuditRecorded['metadata']): AuditRecorded['metadata'] =>
  Object.fromEntries(
    Object.entries(metadata).map(([field, value]) => [
      field,
      isSecretField(field) ? REDACTED : typeof value === 'string' ? redactSecrets(value) : value,
    ]),
  );

/** Any JSON-shaped value (a spec, a policy, a budget) as an audit state: what JSON keeps of it. */
export const stateOf = (value: object): AuditState => JSON.parse(JSON.stringify(value)) as AuditState;
