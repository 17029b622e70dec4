import { readFileSync } from 'node:fs';

import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';

/**
 * Billing's clock for budget periods: which period a hold or a settlement counts in. The system
 * clock, unless tests point `POLYMUX_TEST_CLOCK_FILE` at a file holding an offset in milliseconds
 * (read at every use, so a test moves time without waiting for it).
 */
@Injectable()
export class BillingClock {
  private readonly file?: string;

  constructor(@Inject(CONFIG) config: PolymuxConfig) {
    this.file = config.billing.testClockFile;
  }

  now(): number {
    return Date.now() + (this.file === undefined ? 0 : this.offsetMs(this.file));
  }

  private offsetMs(file: string): number {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      return 0;
    }
    const offset = Number(text);
    return Number.isSafeInteger(offset) ? offset : 0;
  }
}
