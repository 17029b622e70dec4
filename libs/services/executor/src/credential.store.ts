import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG, CredentialSealError, openCredential } from '@polymux/config';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

/**
 * The provider credentials stored through the admin API, opened in this executor's memory only:
 * control answers them sealed (AES-256-GCM, `control.credentials.sealed.get.v1`, which only
 * executors may call), and fetched again before every new catalog layer is applied
 * (`CatalogChangedHandler`), so a deployment never names a credential its executor has not fetched.
 */
@Injectable()
export class CredentialStore {
  private readonly logger = new Logger('CredentialStore');
  private opened: ReadonlyMap<string, string> = new Map();
  private readonly key?: Buffer;

  constructor(
    private readonly messaging: MessagingClient,
    @Inject(CONFIG) config: PolymuxConfig,
  ) {
    this.key = config.credentials.key;
  }

  /** The credential's value; undefined when it is unknown here or did not open. */
  get(id: string): string | undefined {
    return this.opened.get(id);
  }

  get configured(): boolean {
    return this.key !== undefined;
  }

  async reload(): Promise<void> {
    if (!this.key) return;
    const { credentials } = await this.messaging.request(Subjects.sealedCredentials, {});
    const opened = new Map<string, string>();
    for (const { id, sealed } of credentials) {
      try {
        opened.set(id, openCredential(this.key, id, sealed));
      } catch (error) {
        if (!(error instanceof CredentialSealError)) throw error;
        // The id only: never the sealed value, never anything of the secret.
        this.logger.error(`credential ${id} does not open with POLYMUX_CREDENTIALS_KEY (tampered or another key)`);
      }
    }
    this.opened = opened;
  }
}
