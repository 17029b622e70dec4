import type { OnApplicationBootstrap } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { ErrorCode, PolymuxException, Subjects, hashApiKey, usdToNano } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { ControlRepository } from './control.repository';
import type { Actor } from './control.service';
import { ControlService, accountOf } from './control.service';

const SYSTEM: Actor = { keyId: null, userId: null, orgId: null, sourceAddress: null };
const BILLING_WAIT_MS = 60_000;

/**
 * First start: a `default` org and project with an admin key — `POLYMUX_BOOTSTRAP_KEY` when set,
 * otherwise a generated key printed once — and, when configured, bootstrap credits (idempotent).
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @Inject(CONFIG) private readonly config: PolymuxConfig,
    private readonly repository: ControlRepository,
    private readonly control: ControlService,
    private readonly messaging: MessagingClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Replicas starting together must not each create a default org or a key.
    if (this.config.database.kind === 'postgres') await this.repository.withBootstrapLock(() => this.bootstrap());
    else await this.bootstrap();
  }

  private async bootstrap(): Promise<void> {
    const { key, creditsUsd } = this.config.bootstrap;
    if (!key && (await this.repository.anyAdminKey())) return;
    const org = (await this.repository.findOrgByName('default')) ?? (await this.control.createOrg(SYSTEM, 'default'));
    const project =
      (await this.repository.findProjectByName(org.id, 'default')) ??
      (await this.control.createProject(SYSTEM, org.id, 'default', null));
    if (key) {
      const existing = await this.repository.findKeyBySecret(hashApiKey(key));
      if (!existing) await this.control.createKey(SYSTEM, project.id, { name: 'bootstrap', admin: true }, key);
    } else {
      const { secret } = await this.control.createKey(SYSTEM, project.id, { name: 'bootstrap', admin: true });
      process.stdout.write(`\nPolymux admin key (shown once, store it now): ${secret}\n\n`);
    }
    // Billing may start after control (or, embedded, right after it): grant in the background.
    if (creditsUsd > 0) {
      this.grantCredits(project.id, creditsUsd).catch((error: unknown) =>
        this.logger.error(`bootstrap credits not granted: ${(error as Error).message}`),
      );
    }
  }

  private async grantCredits(projectId: string, creditsUsd: number): Promise<void> {
    const amount = usdToNano(creditsUsd.toFixed(9)).toString();
    const deadline = Date.now() + BILLING_WAIT_MS;
    for (;;) {
      try {
        await this.messaging.request(Subjects.topUp, {
          accountId: accountOf(projectId),
          amount,
          idempotencyKey: `bootstrap:${projectId}`,
        });
        return;
      } catch (error) {
        const waiting =
          error instanceof PolymuxException &&
          (error.code === ErrorCode.ServiceUnavailable || error.code === ErrorCode.Timeout);
        if (!waiting || Date.now() > deadline) throw error;
        this.logger.log('waiting for billing to grant bootstrap credits');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}
