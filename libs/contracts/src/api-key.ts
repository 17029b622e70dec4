import { createHash } from 'node:crypto';

/** What every Polymux API key starts with, so people and secret scanners recognise one. */
export const API_KEY_PREFIX = 'pmx-';

/** API keys are high-entropy secrets, so a plain SHA-256 is the right hash (no salt or slow KDF needed). */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');
