import type { OnApplicationBootstrap } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { LedgerEntry, RequestOf, ResponseOf, Subjects, UsageRecorded } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { BillingClock } from './budgets/billing-clock';
import { BudgetAlerts } from './budgets/budget-alerts.service';
import { BudgetsService } from './budgets/budgets.service';
import { GrantsRepository } from './ledger/grants.repository';
import { LedgerApplier } from './ledger/ledger-applier';
import type { LedgerBatch, StoredTransaction } from './ledger/ledger.repository';
import { LedgerRepository } from './ledger/ledger.repository';
import {
  DebitSplitter,
  SYSTEM_ACCOUNT_PREFIX,
  assertCustomerAccount,
  chargePostings,
  customerDelta,
  isSystemAccount,
  ledgerKeys,
  parseAmount,
  samePostings,
  topUpPostings,
} from './ledger/postings';
import { OverrunReporter } from './overrun-reporter.service';
import type { PricedUsage } from './plans/plans.service';
import { PlansService } from './plans/plans.service';
import type { BalanceStore } from './store/balance.store';
import { UsageRepository } from './usage/usage.repository';
import { usageRowOf } from './usage/usage-row';
import { BALANCE_STORE } from './store/balance.store';

const HYDRATE_BATCH = 500;

/**
 * One call's settlement as recorded: its charge, the part of its cost within the hold, and any
 * overrun. `usage.cost` is what the plan charges (`priced.price.charged`), no longer the list cost.
 */
interface Settlement {
  usage: UsageRecorded;
  priced: PricedUsage;
  charge: StoredTransaction;
  withinHold: bigint;
  overrun: bigint;
  overrunTransaction?: StoredTransaction;
}

/**
 * Money in and out: top-ups and charges go to the ledger first (idempotent), then to the balance
 * store exactly once. The store is rebuilt from the ledger for every account it does not know.
 */
@Injectable()
export class CreditsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Billing');

  constructor(
    private readonly ledger: LedgerRepository,
    @Inject(BALANCE_STORE) private readonly store: BalanceStore,
    private readonly overruns: OverrunReporter,
    private readonly budgets: BudgetsService,
    private readonly alerts: BudgetAlerts,
    private readonly clock: BillingClock,
    private readonly applier: LedgerApplier,
    private readonly grants: GrantsRepository,
    private readonly plans: PlansService,
    private readonly usageRows: UsageRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const hydrated = await this.hydrateAll();
    if (hydrated > 0) this.logger.log(`hydrated ${hydrated} account balance(s) from the ledger`);
  }

  async topUp(
    request: RequestOf<typeof Subjects.topUp>,
    requestId?: string,
  ): Promise<ResponseOf<typeof Subjects.topUp>> {
    assertCustomerAccount(request.accountId);
    const amount = parseAmount(request.amount, 'amount', { positive: true });
    const postings = topUpPostings(request.accountId, amount);
    const transaction = await this.ledger.record({
      kind: 'top_up',
      idempotencyKey: ledgerKeys.topUp(request.idempotencyKey),
      requestId: requestId ?? null,
      postings,
    });
    if (!transaction.inserted && (transaction.kind !== 'top_up' || !samePostings(transaction.postings, postings))) {
      throw new PolymuxException(ErrorCode.Conflict, 'this idempotency key was used for a different top-up', {
        param: 'idempotencyKey',
      });
    }
    await this.applier.apply(request.accountId, transaction, amount);
    const { balance, reserved } = await this.store.balance(request.accountId);
    return {
      accountId: request.accountId,
      balance: balance.toString(),
      reserved: reserved.toString(),
      applied: transaction.inserted,
    };
  }

  /**
   * Charges each call's actual cost once per request id and frees its reservation, for a batch of
   * usage events at once: one Postgres transaction with every charge and overrun, then the balance
   * store's effects sent together (one Redis round trip). What exceeds a call's hold is charged too,
   * as its own `overrun` transaction, audited and counted. A request id met twice settles once.
   * Each new charge's cost also goes to its budgets' spend in their periods at the batch's time:
   * in Postgres in the same transaction, then in the budget store, which frees the budget holds.
   * Every call is first priced under its org's plan (`PlansService.price`): the charge is the
   * price's `charged`, the discount is posted with it, and a free plan's quota counts the call.
   * Each call's usage row (its list cost, the plan's discount, the charge, tags) is written in that
   * transaction too.
   */
  async settleAll(usages: UsageRecorded[]): Promise<void> {
    const calls = this.chargeable(usages);
    if (calls.length === 0) return;
    const now = this.clock.now();
    // Read before the charges free them. A hold already gone (expired, or a redelivery) splits nothing:
    // a redelivery finds the split in the ledger, where the first delivery recorded it.
    const held = await Promise.all(calls.map((usage) => this.store.held(usage.accountId, usage.reservationId)));
    const settlements = await this.ledger.writeBatch((batch) => this.record(batch, calls, held, now));
    // Issued together, the store's commands go out as one pipeline (the Redis client auto-pipelines).
    await Promise.all(
      settlements.map(({ usage, charge, withinHold }) =>
        this.applier.apply(usage.accountId, charge, -withinHold, usage.reservationId),
      ),
    );
    await Promise.all(settlements.map((settlement) => this.applyOverrun(settlement)));
    await this.settleBudgets(settlements, now);
    await this.plans.settle(
      settlements
        .filter(({ charge }) => !this.applier.predatesMarkers(charge))
        .map(({ usage, charge, priced }) => ({
          usage,
          key: charge.idempotencyKey,
          xid: charge.xid,
          spec: priced.spec,
        })),
    );
  }

  /**
   * Moves the calls' budget holds to spend (charges older than any applied marker only free theirs),
   * then alerts the soft thresholds the spend reached, redelivered settlements included: an alert
   * whose publish failed goes out with the batch's next delivery.
   */
  private async settleBudgets(settlements: Settlement[], now: number): Promise<void> {
    const old = settlements.filter(({ charge }) => this.applier.predatesMarkers(charge));
    await Promise.all(old.map(({ usage }) => this.budgets.release(usage.orgId, usage.reservationId)));
    const settled = await this.budgets.settle(
      settlements
        .filter(({ charge }) => !this.applier.predatesMarkers(charge))
        .map(({ usage, charge }) => ({ usage, key: charge.idempotencyKey, xid: charge.xid })),
      now,
    );
    await Promise.all(settled.map(({ budget, counter, usage }) => this.alerts.check(budget, counter, usage, now)));
  }

  /** Every call's charge (at most its hold) and, where the cost exceeds it, its overrun, in the batch's transaction. */
  private async record(
    batch: LedgerBatch,
    listed: UsageRecorded[],
    held: Array<bigint | null>,
    now: number,
  ): Promise<Settlement[]> {
    const prices = await this.plans.price(batch.trx, listed);
    const calls = listed.map((usage, index) => ({ ...usage, cost: prices[index]!.price.charged.toString() }));
    // Each account's grants are spent first, locked until the batch commits (see `DebitSplitter`).
    const open = await this.grants.lockOpen(batch.trx, [...new Set(calls.map((usage) => usage.accountId))].sort());
    const splitters = new Map([...open].map(([account, grants]) => [account, new DebitSplitter(account, grants)]));
    const charges = await batch.record(
      calls.map((usage, index) => {
        const cost = BigInt(usage.cost);
        const hold = held[index];
        return {
          kind: 'charge' as const,
          idempotencyKey: ledgerKeys.charge(usage.requestId),
          requestId: usage.requestId,
          // Without a hold (it expired before the usage came, or the store lost it) nothing was set
          // aside for the call: all of it is an overrun, so no account goes below its floor unrecorded.
          postings: chargePostings(usage.accountId, hold === null ? 0n : cost > hold ? hold : cost, {
            discount: prices[index]!.price.discount,
            splitter: splitters.get(usage.accountId),
          }),
        };
      }),
    );
    const splits = calls.map((usage, index) => {
      const withinHold = -customerDelta(charges[index].postings, usage.accountId);
      return {
        usage,
        priced: prices[index]!,
        charge: charges[index],
        withinHold,
        overrun: BigInt(usage.cost) - withinHold,
      };
    });
    const overrunning = splits.filter((split) => split.overrun > 0n);
    const overruns = await batch.record(
      overrunning.map(({ usage, overrun }) => ({
        kind: 'overrun' as const,
        idempotencyKey: ledgerKeys.overrun(usage.requestId),
        requestId: usage.requestId,
        postings: chargePostings(usage.accountId, overrun, { splitter: splitters.get(usage.accountId) }),
      })),
    );
    // Each call's usage row, in the same transaction as its charge: a redelivery writes none twice.
    await this.usageRows.insert(
      batch.trx,
      listed.map((usage, index) => usageRowOf(usage, prices[index]!.price)),
    );
    await this.budgets.recordSpend(
      batch.trx,
      calls.filter((_, index) => charges[index]!.inserted),
      now,
    );
    await this.plans.recordQuota(
      batch.trx,
      splits.filter(({ charge }) => charge.inserted).map(({ usage, priced }) => ({ usage, spec: priced.spec })),
    );
    const overrunOf = new Map(overrunning.map((split, index) => [split, overruns[index]]));
    return splits.map((split) => ({ ...split, overrunTransaction: overrunOf.get(split) }));
  }

  /** Applies an overrun to the store, then counts it (the first time) and audits it. */
  private async applyOverrun({ usage, withinHold, overrun, overrunTransaction }: Settlement): Promise<void> {
    if (!overrunTransaction) return;
    await this.applier.apply(usage.accountId, overrunTransaction, -overrun);
    const report = { usage, held: withinHold, charged: BigInt(usage.cost), overrun };
    if (overrunTransaction.inserted) this.overruns.count(report);
    await this.overruns.audit(report);
  }

  /** The calls of a batch that can be charged, each request id once (a duplicate would settle nothing more). */
  private chargeable(usages: UsageRecorded[]): UsageRecorded[] {
    const calls = new Map<string, UsageRecorded>();
    for (const usage of usages) {
      if (BigInt(usage.cost) < 0n || isSystemAccount(usage.accountId)) {
        // Redelivering would not make it valid: report it and let the event go.
        this.logger.error(`dropped usage of request ${usage.requestId}: cost ${usage.cost} on ${usage.accountId}`);
        continue;
      }
      if (!calls.has(usage.requestId)) calls.set(usage.requestId, usage);
    }
    return [...calls.values()];
  }

  async entries(query: RequestOf<typeof Subjects.ledger>): Promise<LedgerEntry[]> {
    const rows = await this.ledger.entries({
      account: query.accountId,
      requestId: query.requestId,
      kind: query.kind,
      beforeId: query.beforeId,
      limit: query.limit,
    });
    return rows.map((row) => ({ ...row, amount: row.amount.toString(), createdAt: row.createdAt.toISOString() }));
  }

  /** Sets every account the store does not know from its ledger sum (grants included); answers how many it set. */
  async hydrateAll(): Promise<number> {
    const { snapshot, balances } = await this.ledger.balances(SYSTEM_ACCOUNT_PREFIX);
    let hydrated = 0;
    for (let start = 0; start < balances.length; start += HYDRATE_BATCH) {
      const batch = balances.slice(start, start + HYDRATE_BATCH);
      const results = await Promise.all(batch.map((row) => this.store.hydrate(row.account, row.balance, snapshot)));
      hydrated += results.filter(Boolean).length;
    }
    return hydrated;
  }
}
