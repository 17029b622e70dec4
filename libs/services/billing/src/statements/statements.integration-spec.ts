import { randomUUID } from 'node:crypto';

import type { Statement } from '@polymux/contracts';
import { ErrorCode, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';
import type { RunningService } from '@polymux/runtime';
import { startService } from '@polymux/runtime';
import { deleteNatsNamespace, isolatedServiceEnv, pollUntil } from '@polymux/testing';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

import { BillingModule } from '../billing.module';
import type { NewTransaction } from '../ledger/ledger.repository';
import { LedgerRepository } from '../ledger/ledger.repository';
import {
  DebitSplitter,
  adjustmentPostings,
  chargePostings,
  grantAccount,
  grantExpiryPostings,
  grantPostings,
  refundPostings,
  topUpPostings,
} from '../ledger/postings';
import type { DB } from '../schema/db';
import { BILLING_DB } from '../schema/db';

jest.setTimeout(30_000);

/*
 * Statements on the real path: a ledger with every kind of transaction in Postgres, read through
 * `billing.statement.query.v1` (NATS → handler → one repeatable-read snapshot of sums).
 */
const namespace = `it_statements_${randomUUID().slice(0, 8)}`;
const env = isolatedServiceEnv(namespace);
let billing: RunningService;
let client: MessagingClient;
let ledger: LedgerRepository;
let db: Kysely<DB>;

beforeAll(async () => {
  billing = await startService({ name: 'billing', modules: [BillingModule] }, env);
  client = billing.app.get(MessagingClient);
  ledger = billing.app.get(LedgerRepository);
  db = billing.app.get<symbol, Kysely<DB>>(BILLING_DB);
});

afterAll(async () => {
  await billing.close();
  await deleteNatsNamespace(env.NATS_URL, namespace);
});

const run = randomUUID();
const A = `project:a-${run}`;
const B = `project:b-${run}`;
/** Sorts right after A but is another account: never part of A's statement. */
const NEIGHBOUR = `${A}0`;
const grantA = grantAccount(A, `g-${run}`);

let sequence = 0;
/**
 * A transaction of this run. A charge gets a request id of its own; an overrun or a refund names the
 * charge it belongs to (`of`), so the ledger this suite leaves keeps the invariants the other suites
 * reconcile on the same database (one charge a request, refunds within it).
 */
const tx = (
  kind: NewTransaction['kind'],
  postings: NewTransaction['postings'],
  reason: string | null = null,
  of?: string,
) => ({
  kind,
  idempotencyKey: `${kind}:${run}:${sequence++}`,
  requestId: kind === 'charge' ? `req-${run}-${sequence}` : (of ?? null),
  postings,
  reason,
});
const record = (transactions: NewTransaction[]) => ledger.writeBatch((batch) => batch.record(transactions));
/**
 * An instant of the database's clock between two commits, on a whole millisecond (an ISO instant
 * carries no more): the next millisecond after now, once the clock has passed it. Every transaction
 * before the call was created before it, every one after at or after it.
 */
const databaseInstant = async (): Promise<string> => {
  const { rows } = await sql<{ at: Date }>`
    select date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' as at`.execute(db);
  const at = rows[0]!.at.toISOString();
  await pollUntil(
    async () =>
      (await sql<{ past: boolean }>`select clock_timestamp() > ${at}::timestamptz as past`.execute(db)).rows[0]!.past,
    (past) => past,
    { timeoutMs: 5_000 },
  );
  return at;
};
const statement = (from: string, to: string, accountIds = [A, B]) =>
  client.request(Subjects.statement, { orgId: 'org', accountIds, period: { from, to }, timezone: 'UTC' });
const iso = (text: string) => new Date(text).toISOString();
const lineSum = (part: Statement['totals']) =>
  Object.values(part.lines).reduce((sum, amount) => sum + BigInt(amount), BigInt(part.opening));

let boundary: string;
let end: string;

beforeAll(async () => {
  // Before the boundary: A tops up 10 and is charged 3 (at list 4, a discount of 1); B tops up 5.
  await record([
    tx('top_up', topUpPostings(A, 10_000n)),
    tx('charge', chargePostings(A, 3_000n, { discount: 1_000n })),
    tx('top_up', topUpPostings(B, 5_000n)),
    tx('top_up', topUpPostings(NEIGHBOUR, 77_000n)),
  ]);
  boundary = await databaseInstant();
  // After it, every kind on A: a grant spent first by a discounted charge split over grant and paid credit.
  await record([tx('grant', grantPostings(grantA, 2_000n), 'trial')]);
  const splitter = new DebitSplitter(A, [{ account: grantA, remaining: 2_000n, expiresAt: new Date() }]);
  const first = tx('charge', chargePostings(A, 1_500n, { discount: 500n, splitter }));
  const second = tx('charge', chargePostings(A, 1_000n, { discount: 250n, splitter }));
  await record([
    first,
    second,
    tx('overrun', chargePostings(A, 300n), null, second.requestId!),
    tx('refund', refundPostings(A, 400n), 'upstream timeout', first.requestId!),
    tx('adjustment', adjustmentPostings(A, 50n, splitter), 'goodwill'),
    tx('adjustment', adjustmentPostings(A, -20n, splitter), 'correction'),
  ]);
  // The grant's remainder (2,000 - 1,500 - 500) is 0; expire another one with 700 left.
  const secondGrant = grantAccount(A, `g2-${run}`);
  await record([tx('grant', grantPostings(secondGrant, 900n), 'promo')]);
  await record([
    tx(
      'charge',
      chargePostings(A, 200n, {
        splitter: new DebitSplitter(A, [{ account: secondGrant, remaining: 900n, expiresAt: null }]),
      }),
    ),
  ]);
  await record([tx('grant_expiry', grantExpiryPostings(secondGrant, 700n))]);
  await record([tx('charge', chargePostings(B, 100n))]);
  end = await databaseInstant();
});

describe('statements from the ledger', () => {
  it('shows every kind on its line, charges at list and discounts apart, closing = opening + lines', async () => {
    const answer = await statement(boundary, end);
    const [a, b] = answer.accounts;
    expect(a).toEqual({
      accountId: A,
      opening: '7000',
      lines: {
        topUps: '0',
        grants: '2900',
        // At list: 1,500 + 500, 1,000 + 250, the overrun's 300 and 200.
        charges: '-3750',
        discounts: '750',
        refunds: '400',
        adjustments: '30',
        grantExpiries: '-700',
      },
      closing: String(7_000 + 2_900 - 3_750 + 750 + 400 + 30 - 700),
    });
    expect(b).toEqual(expect.objectContaining({ accountId: B, opening: '5000', closing: '4900' }));
    expect(b!.lines.charges).toBe('-100');
    for (const part of [a!, b!, answer.totals]) expect(lineSum(part)).toBe(BigInt(part.closing));
    expect(answer.totals).toMatchObject({ opening: '12000', closing: String(BigInt(a!.closing) + 4_900n) });
    expect(answer).toMatchObject({ from: iso(boundary), to: iso(end) });
  });

  it('splits the movements at a period boundary: the first period closes where the second opens', async () => {
    const first = await statement('2000-01-01T00:00:00Z', boundary);
    const second = await statement(boundary, end);
    const whole = await statement('2000-01-01T00:00:00Z', end);
    expect(first.accounts[0]).toEqual({
      accountId: A,
      opening: '0',
      lines: {
        topUps: '10000',
        grants: '0',
        charges: '-4000',
        discounts: '1000',
        refunds: '0',
        adjustments: '0',
        grantExpiries: '0',
      },
      closing: '7000',
    });
    expect(first.totals.closing).toBe(second.totals.opening);
    for (const line of Object.keys(whole.totals.lines) as Array<keyof Statement['totals']['lines']>) {
      expect(BigInt(whole.totals.lines[line])).toBe(
        BigInt(first.totals.lines[line]) + BigInt(second.totals.lines[line]),
      );
    }
    expect(whole.totals.closing).toBe(second.totals.closing);
  });

  it('answers a calendar month, an account without entries as zero, and refuses a reversed range', async () => {
    const month = await client.request(Subjects.statement, {
      orgId: 'org',
      accountIds: [`project:none-${run}`],
      period: { month: '2026-03' },
      timezone: 'America/New_York',
    });
    expect(month).toMatchObject({ from: '2026-03-01T05:00:00.000Z', to: '2026-04-01T04:00:00.000Z' });
    expect(month.totals).toMatchObject({ opening: '0', closing: '0' });
    await expect(statement(end, boundary)).rejects.toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: 'from must be before to',
    });
  });
});
