import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';

import { BillingClock } from './budgets/billing-clock';
import type { GrantRow } from './ledger/grants.repository';
import { GrantsRepository } from './ledger/grants.repository';
import { LedgerApplier } from './ledger/ledger-applier';
import { LedgerRepository } from './ledger/ledger.repository';
import { customerDelta, grantExpiryPostings, ledgerKeys } from './ledger/postings';
import type { BalanceStore } from './store/balance.store';
import { APPLIED_MARKER_TTL_SECONDS, BALANCE_STORE } from './store/balance.store';

const SWEEP_INTERVAL_MS = 1_000;
/**
 * Each sweep looks at the grants expired in the last week (an index range that stays small); one
 * sweep an hour, and the first, at all of them, for any whose expiry a long outage left unrecorded.
 */
const RECENT_MS = 7 * 24 * 3_600_000;
const FULL_SWEEP_EVERY_MS = 3_600_000;
const SWEEP_BATCH = 100;
/** How long an expiry's hold lives if its sweeper dies before settling it. */
const EXPIRY_HOLD_MS = 60_000;

/**
 * Takes each expired grant's unspent remainder out of its account: one `grant_expiry` transaction
 * per grant (to promotions), applied to the balance store exactly once. Like a call, the expiry
 * first holds the remainder in the store, so it never takes credit that in-flight calls hold: while
 * they hold more than the account's paid credit, the expiry waits for them to settle (spending the
 * grant first). Every replica sweeps; the grant's row lock and the idempotency key make that safe.
 */
@Injectable()
export class GrantExpiry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Billing');
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private lastFullSweepMs = Number.NEGATIVE_INFINITY;
  /** Grants whose expiry this process saw applied: not swept again. */
  private readonly done = new Set<string>();

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly grants: GrantsRepository,
    private readonly applier: LedgerApplier,
    @Inject(BALANCE_STORE) private readonly store: BalanceStore,
    private readonly clock: BillingClock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Expires every grant due by the billing clock; answers how many expiries it applied. */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const now = this.clock.now();
      const full = Date.now() - this.lastFullSweepMs >= FULL_SWEEP_EVERY_MS;
      const due = await this.grants.due(
        new Date(now),
        new Date(full ? 0 : now - RECENT_MS),
        new Date(Date.now() - APPLIED_MARKER_TTL_SECONDS * 1000),
        SWEEP_BATCH,
      );
      if (full) this.lastFullSweepMs = Date.now();
      let expired = 0;
      for (const grant of due.filter((row) => !this.done.has(row.id))) {
        if (await this.expire(grant)) expired += 1;
      }
      return expired;
    } catch (error) {
      this.logger.warn(`grant expiry sweep failed: ${(error as Error).message}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  /** Holds, records and applies one due grant's expiry; false when in-flight holds make it wait. */
  async expire(grant: GrantRow): Promise<boolean> {
    const key = ledgerKeys.grantExpiry(grant.id);
    const estimate = await this.grants.remaining(grant);
    if (estimate > 0n && !(await this.hold(grant, key, estimate))) return false;
    const transaction = await this.ledger.writeBatch(async (batch) => {
      // Under the grant's lock no debit spends it any more: what it holds now is what expires.
      const remaining = await this.grants.lockRemaining(batch.trx, grant);
      const [recorded] = await batch.record([
        {
          kind: 'grant_expiry',
          idempotencyKey: key,
          requestId: null,
          postings: grantExpiryPostings(grant.subAccount, remaining),
        },
      ]);
      return recorded;
    });
    await this.applier.apply(grant.account, transaction, customerDelta(transaction.postings, grant.account), key);
    this.done.add(grant.id);
    if (transaction.inserted)
      this.logger.log(`grant ${grant.id} expired: ${-customerDelta(transaction.postings, grant.account)} nano-USD`);
    return true;
  }

  /** Holds the remainder in the store; true when held (or already applied). */
  private async hold(grant: GrantRow, key: string, amount: bigint): Promise<boolean> {
    const reserve = () =>
      this.store.reserve({
        accountId: grant.account,
        reservationId: key,
        amount,
        expiresAtMs: Date.now() + EXPIRY_HOLD_MS,
        settlementKey: key,
      });
    let outcome = await reserve();
    if (outcome.status === 'insufficient' && (await this.applier.hydrate(grant.account))) outcome = await reserve();
    return outcome.status !== 'insufficient';
  }
}
