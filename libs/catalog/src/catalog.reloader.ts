import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { CatalogSource } from './catalog.source';

/** First retry after a failed start-up load (control not up yet), doubled up to the refresh period. */
const FIRST_RETRY_MS = 50;

/** Work that must happen before a new layer is applied (the executor fetches the credentials it references). */
export type ReloadStep = () => Promise<void>;

/**
 * Keeps `CatalogSource` on the newest admin layer: fetched from control at start-up (retried until
 * control answers), on every `control.catalog.changed.v1`, and every `catalog.refreshMs` in case an
 * event was missed. Reloads run one at a time; a change event that arrives during one is served
 * by one more after it.
 */
@Injectable()
export class CatalogReloader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CatalogReloader');
  private readonly steps: ReloadStep[] = [];
  private running: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly source: CatalogSource,
    private readonly messaging: MessagingClient,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  /** Runs `step` before every layer is applied. */
  beforeApply(step: ReloadStep): void {
    this.steps.push(step);
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Fetches and applies the layer unless `revision` (of a change event) is already applied. */
  reload(revision?: number): Promise<void> {
    // The previous reload's failure is its own caller's; this one runs regardless.
    this.running = this.running
      .catch(() => undefined)
      .then(async () => {
        if (revision !== undefined && revision <= this.source.revision) return;
        for (const step of this.steps) await step();
        const layer = await this.messaging.request(Subjects.catalogLayer, {});
        const problems = this.source.apply(layer);
        if (problems?.length) this.logger.warn(`admin catalog entries left out: ${problems.join('; ')}`);
      });
    return this.running;
  }

  /** Loads after `delayMs`, then every `catalog.refreshMs`; a failed load is retried sooner, with backoff. */
  private schedule(delayMs: number, failures = 0): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.reload().then(
        () => this.schedule(this.config.catalog.refreshMs),
        () => {
          if (failures === 3)
            this.logger.warn('the admin catalog layer is not available yet: serving the catalog file');
          this.schedule(Math.min(Math.max(delayMs, FIRST_RETRY_MS) * 2, this.config.catalog.refreshMs), failures + 1);
        },
      );
    }, delayMs);
    this.timer.unref();
  }
}
