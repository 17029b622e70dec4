import { randomBytes } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG, openCredential, sealCredential } from '@polymux/config';

/** A secret as stored: sealed with the credentials key when one is configured. */
export interface StoredSecret {
  secret: string;
  secret_sealed: boolean;
  secret_prefix: string;
}

/** What seals a secret to its endpoint (AES-GCM's additional data): it opens on no other row. */
const aad = (endpointId: string) => `webhook:${endpointId}`;

/**
 * Signing secrets of webhook endpoints: generated here (32 random bytes), shown once to the admin,
 * stored sealed with POLYMUX_CREDENTIALS_KEY when it is set (as generated otherwise), opened only
 * to sign a delivery. Never logged.
 */
@Injectable()
export class WebhookSecrets {
  constructor(@Inject(CONFIG) private readonly config: PolymuxConfig) {}

  generate(): string {
    return `whsec_${randomBytes(32).toString('base64url')}`;
  }

  store(endpointId: string, secret: string): StoredSecret {
    const key = this.config.credentials.key;
    return {
      secret: key ? sealCredential(key, aad(endpointId), secret) : secret,
      secret_sealed: key !== undefined,
      secret_prefix: secret.slice(0, 12),
    };
  }

  /** Throws `CredentialSealError` when the key is gone or another one. */
  open(endpointId: string, stored: Pick<StoredSecret, 'secret' | 'secret_sealed'>): string {
    if (!stored.secret_sealed) return stored.secret;
    const key = this.config.credentials.key;
    if (!key) throw new Error('webhook secret is sealed but POLYMUX_CREDENTIALS_KEY is not set');
    return openCredential(key, aad(endpointId), stored.secret);
  }
}
