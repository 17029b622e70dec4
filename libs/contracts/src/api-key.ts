import { createHash } from 'node:crypto';

/** API keys are high-entropy secrets, so a plain SHA-256 is the right hash (no salt or slow KDF needed). */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');
