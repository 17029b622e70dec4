import type { Kysely } from 'kysely';

import { ownerOf } from '../ledger/postings';
import type { DB } from '../schema/db';
import type { BalanceStore } from '../store/balance.store';
import { ReconciliationRepository } from './reconciliation.repository';

/** One way the ledger or the balance store breaks an invariant. */
export interface Difference {
  check:
    | 'unbalanced_transaction'
    | 'below_floor'
    | 'grant_negative'
    | 'expired_grant_not_empty'
    | 'charges_per_request'
    | 'over_refunded'
    | 'usage_not_charged_once'
    | 'usage_charge_mismatch'
    | 'usage_row_mismatch'
    | 'charge_without_usage_row'
    | 'store_balance'
    | 'store_reserved';
  detail: string;
}

/** A successful call known to have settled: it must be charged exactly once, its cost exactly. */
export interface KnownUsage {
  requestId: string;
  accountId: string;
  cost: bigint;
}

export interface ReconcileOptions {
  /** The balance store to compare with the ledger; without it, only the ledger's invariants are checked. */
  store?: BalanceStore;
  usages?: readonly KnownUsage[];
  /**
   * Check only these customer accounts (a test's own, when others share the database but not the
   * store); the checks of transactions and request ids stay global.
   */
  accounts?: readonly string[];
  /**
   * A live system has settlements between their ledger write and their store write: a store
   * difference is read again this many times, `retryDelayMs` apart, and reported only if it stays.
   */
  storeRetries?: number;
  retryDelayMs?: number;
  /** At most this many differences of each usage-row check are listed (then one line with how many more). */
  usageRowLimit?: number;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks the billing invariants on a database (and its balance store): every transaction sums to
 * zero; no customer account below its floor (0, or minus an invoiced plan's credit limit) except by
 * its recorded overruns; every usage row charged once for its `charged`, every charge with a usage
 * row (at most `usageRowLimit` of each listed); no grant below zero, no
 * expired grant still holding credit; one charge (and at most one overrun) per request id, refunds
 * at most its charge; each known successful call charged once, its cost; the store's balance of
 * every account equal to its ledger total and its holds never negative. Answers every difference.
 */
export const reconcile = async (db: Kysely<DB>, options: ReconcileOptions = {}): Promise<Difference[]> => {
  const repository = new ReconciliationRepository(db);
  const differences: Difference[] = [];
  for (const { transactionId, sum } of await repository.unbalanced()) {
    differences.push({
      check: 'unbalanced_transaction',
      detail: `transaction ${transactionId} sums to ${sum}, or has no entries`,
    });
  }
  const only = options.accounts && new Set(options.accounts);
  const mine = (account: string) => !only || only.has(ownerOf(account));
  const totals = (await repository.customerTotals()).filter(({ account }) => mine(account));
  const floors = await repository.floors();
  for (const { account, total, overrun } of totals) {
    const floor = floors.get(account) ?? 0n;
    if (total + overrun < floor) {
      differences.push({
        check: 'below_floor',
        detail: `${account} is at ${total} nano-USD, beyond its floor of ${floor} and its recorded overruns of ${overrun}`,
      });
    }
  }
  for (const { account, remaining, expired } of (await repository.badGrants()).filter((grant) => mine(grant.account))) {
    differences.push(
      expired
        ? { check: 'expired_grant_not_empty', detail: `${account} expired holding ${remaining} nano-USD` }
        : { check: 'grant_negative', detail: `${account} is at ${remaining} nano-USD` },
    );
  }
  for (const row of await repository.requestAnomalies()) {
    if (row.charges !== 1 || row.overruns > 1) {
      differences.push({
        check: 'charges_per_request',
        detail: `request ${row.requestId} has ${row.charges} charge(s) and ${row.overruns} overrun(s)`,
      });
    }
    if (row.refunded > row.charged) {
      differences.push({
        check: 'over_refunded',
        detail: `request ${row.requestId} was refunded ${row.refunded} of ${row.charged} charged`,
      });
    }
  }
  differences.push(...(await checkUsageRows(repository, options.usageRowLimit ?? 100, options.accounts)));
  if (options.usages && options.usages.length > 0) differences.push(...(await checkUsages(repository, options.usages)));
  if (options.store) differences.push(...(await checkStore(repository, options.store, totals, options)));
  return differences;
};

const checkUsages = async (
  repository: ReconciliationRepository,
  usages: readonly KnownUsage[],
): Promise<Difference[]> => {
  const charges = await repository.chargesOf([...new Set(usages.map((usage) => usage.requestId))]);
  const differences: Difference[] = [];
  for (const usage of new Map(usages.map((known) => [known.requestId, known])).values()) {
    const found = charges.get(usage.requestId);
    if (!found || found.charges !== 1) {
      differences.push({
        check: 'usage_not_charged_once',
        detail: `request ${usage.requestId} was charged ${found?.charges ?? 0} time(s)`,
      });
      continue;
    }
    const charged = found.accounts.get(usage.accountId) ?? 0n;
    if (charged !== usage.cost || found.accounts.size !== 1) {
      differences.push({
        check: 'usage_charge_mismatch',
        detail: `request ${usage.requestId} cost ${usage.cost} but ${usage.accountId} was charged ${charged}`,
      });
    }
  }
  return differences;
};

/** Every usage row charged once, its `charged` exactly; every charge with its usage row. Bounded output. */
const checkUsageRows = async (
  repository: ReconciliationRepository,
  limit: number,
  accounts?: readonly string[],
): Promise<Difference[]> => {
  const [mismatched, unrecorded] = await Promise.all([
    repository.usageMismatches(limit, accounts),
    repository.chargesWithoutUsage(limit, accounts),
  ]);
  const more = (check: Difference['check'], total: number, listed: number, what: string): Difference[] =>
    total > listed ? [{ check, detail: `… and ${total - listed} more ${what}` }] : [];
  return [
    ...mismatched.rows.map(({ requestId, account, charged, charges, taken }) => ({
      check: 'usage_row_mismatch' as const,
      detail: `usage row of request ${requestId} on ${account} says ${charged} nano-USD charged; it has ${charges} charge(s) taking ${taken}`,
    })),
    ...more('usage_row_mismatch', mismatched.total, mismatched.rows.length, 'usage row(s) not matching their charge'),
    ...unrecorded.rows.map(({ requestId, transactionId }) => ({
      check: 'charge_without_usage_row' as const,
      detail: `charge ${transactionId} of request ${requestId} has no usage row`,
    })),
    ...more('charge_without_usage_row', unrecorded.total, unrecorded.rows.length, 'charge(s) without a usage row'),
  ];
};

const checkStore = async (
  repository: ReconciliationRepository,
  store: BalanceStore,
  totals: Array<{ account: string; total: bigint }>,
  options: ReconcileOptions,
): Promise<Difference[]> => {
  const { storeRetries = 0, retryDelayMs = 500 } = options;
  let ledger = new Map(totals.map(({ account, total }) => [account, total]));
  let suspects = options.accounts ? [...options.accounts] : [...ledger.keys()];
  let found: Difference[] = [];
  for (let attempt = 0; ; attempt += 1) {
    found = [];
    const next: string[] = [];
    for (const account of suspects) {
      const { balance, reserved } = await store.balance(account);
      const total = ledger.get(account) ?? 0n;
      if (balance !== total) {
        found.push({
          check: 'store_balance',
          detail: `${account}: the store has ${balance} nano-USD, the ledger ${total}`,
        });
        next.push(account);
      }
      if (reserved < 0n) {
        found.push({ check: 'store_reserved', detail: `${account}: the store holds ${reserved} nano-USD` });
        next.push(account);
      }
    }
    if (found.length === 0 || attempt >= storeRetries) return found;
    await wait(retryDelayMs);
    suspects = [...new Set(next)];
    ledger = new Map((await repository.customerTotals()).map(({ account, total }) => [account, total]));
  }
};
