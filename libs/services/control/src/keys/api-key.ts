import { randomBytes } from 'node:crypto';

import { API_KEY_PREFIX as PREFIX } from '@polymux/contracts';

/** A new secret API key: `pmx-` and 32 random bytes, base64url. */
export const generateApiKey = (): string => `${PREFIX}${randomBytes(32).toString('base64url')}`;

/** The part of a key shown in listings so humans can recognise it. */
export const displayPrefix = (key: string): string => key.slice(0, PREFIX.length + 6);
