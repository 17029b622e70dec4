import { API_KEY_PREFIX } from './api-key';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The shapes of the secrets Polymux issues or carries: its API keys (longer than the 6 characters
 * after the prefix that listings show), webhook signing secrets (`whsec_`, longer than the shown
 * prefix), OpenAI-style provider keys, bearer tokens and PEM private keys. The audit trail redacts
 * them; the test suite's log scan fails on them.
 */
export const SECRET_PATTERNS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'Polymux API key', pattern: new RegExp(`${escaped(API_KEY_PREFIX)}[A-Za-z0-9_-]{12,}`) },
  { name: 'webhook secret', pattern: /whsec_[A-Za-z0-9_-]{12,}/ },
  { name: 'provider key', pattern: /\bsk-[A-Za-z0-9_-]{16,}/ },
  { name: 'bearer token', pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/i },
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** `text` with every secret-shaped part replaced by `[redacted]`. */
export const redactSecrets = (text: string): string =>
  SECRET_PATTERNS.reduce(
    (redacted, { pattern }) => redacted.replace(new RegExp(pattern.source, `${pattern.flags}g`), '[redacted]'),
    text,
  );
