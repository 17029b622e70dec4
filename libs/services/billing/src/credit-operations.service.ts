import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { RequestOf, ResponseOf, Subjects } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { BillingClock } from './budgets/billing-clock';
import { GrantsRepository } from './ledger/grants.repository';
import { LedgerApplier } from './ledger/ledger-applier';
import type { StoredTransaction } from './ledger/ledger.repository';
import { LedgerRepository } from './ledger/ledger.repository';
import {
  DebitSplitter,
  adjustmentPostings,
  assertCustomerAccount,
  customerDelta,
  grantAccount,
  grantPostings,
  ledgerKeys,
  parseAmount,
  refundPostings,
  samePostings,
} from './ledger/postings';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

/** How long a negative adjustment's hold lives if its writer dies before settling it. */
const DEBIT_HOLD_MS = 60_000;

/** A grant's id: derived from its idempotency key, so a retried grant names the same sub-account. */
export const grantIdOf = (idempotencyKey: string): string =>
  createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24);

const conflict = (what: string) =>
  new PolymuxException(ErrorCode.Conflict, `this idempotency key was used for a different ${what}`, {
    param: 'idempotencyKey',
  });

/**
 * Operators' credit movements, each one ledger transaction against a system account, applied to
 * the balance store once: grants (promotional credit in a sub-account, spent first), refunds of a
 * charged request (at most its charge, as paid credit) and signed adjustments. A debit that could
 * leave in-flight holds unbacked first holds its amount in the store, as a call does.
 */
@Injectable()
export class CreditOperations {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly grants: GrantsRepository,
    private readonly applier: LedgerApplier,
    @Inject(BALANCE_STORE) private readonly store: BalanceStore,
    private readonly clock: BillingClock,
  ) {}

  async grant(request: RequestOf<typeof Subjects.grant>): Promise<ResponseOf<typeof Subjects.grant>> {
    assertCustomerAccount(request.accountId);
    const amount = parseAmount(request.amount, 'amount', { positive: true });
    const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= this.clock.now()) {
      throw new PolymuxException(ErrorCode.InvalidRequest, 'expiresAt must be in the future', { param: 'expiresAt' });
    }
    const grant = {
      id: grantIdOf(request.idempotencyKey),
      account: request.accountId,
      subAccount: grantAccount(request.accountId, grantIdOf(request.idempotencyKey)),
      expiresAt,
    };
    const postings = grantPostings(grant.subAccount, amount);
    const transaction = await this.ledger.writeBatch(async (batch) => {
      const [recorded] = await batch.record([
        {
          kind: 'grant',
          idempotencyKey: ledgerKeys.grant(request.idempotencyKey),
          requestId: null,
          reason: request.reason,
          postings,
        },
      ]);
      if (recorded.inserted) await this.grants.insert(batch.trx, grant, recorded.id);
      return recorded;
    });
    const stored = transaction.inserted ? grant : await this.grants.find(grant.id);
    if (
      transaction.kind !== 'grant' ||
      !samePostings(transaction.postings, postings) ||
      stored?.expiresAt?.getTime() !== expiresAt?.getTime()
    ) {
      throw conflict('grant');
    }
    await this.applier.apply(request.accountId, transaction, amount);
    return {
      ...(await this.answer(request.accountId, transaction)),
      grantId: grant.id,
      expiresAt: expiresAt?.toISOString() ?? null,
    };
  }

  async refund(request: RequestOf<typeof Subjects.refund>): Promise<ResponseOf<typeof Subjects.refund>> {
    assertCustomerAccount(request.accountId);
    const amount = parseAmount(request.amount, 'amount', { positive: true });
    const key = ledgerKeys.refund(request.idempotencyKey);
    const postings = refundPostings(request.accountId, amount);
    const transaction = await this.ledger.writeBatch(async (batch) => {
      const charged = await this.grants.lockCharged(batch.trx, request.accountId, request.requestId, key);
      if (!charged || (charged.charged === 0n && charged.refunded === 0n)) {
        throw new PolymuxException(
          ErrorCode.NotFound,
          `request ${request.requestId} has no charge on this account to refund`,
          {
            param: 'requestId',
          },
        );
      }
      const refundable = charged.charged - charged.refunded;
      if (amount > refundable) {
        throw new PolymuxException(
          ErrorCode.InvalidRequest,
          `a refund of request ${request.requestId} can give back at most ${refundable < 0n ? 0n : refundable} nano-USD ` +
            `(charged ${charged.charged}, refunded ${charged.refunded})`,
          { param: 'amount' },
        );
      }
      const [recorded] = await batch.record([
        { kind: 'refund', idempotencyKey: key, requestId: request.requestId, reason: request.reason, postings },
      ]);
      return recorded;
    });
    if (
      transaction.kind !== 'refund' ||
      transaction.requestId !== request.requestId ||
      !samePostings(transaction.postings, postings)
    ) {
      throw conflict('refund');
    }
    await this.applier.apply(request.accountId, transaction, amount);
    return this.answer(request.accountId, transaction);
  }

  async adjust(request: RequestOf<typeof Subjects.adjust>): Promise<ResponseOf<typeof Subjects.adjust>> {
    assertCustomerAccount(request.accountId);
    const amount = BigInt(request.amount);
    if (amount === 0n) {
      throw new PolymuxException(ErrorCode.InvalidRequest, 'an adjustment must not be zero', { param: 'amount' });
    }
    const key = ledgerKeys.adjustment(request.idempotencyKey);
    const holdId = amount < 0n ? key : undefined;
    if (holdId !== undefined) await this.holdDebit(request.accountId, holdId, -amount);
    let transaction: StoredTransaction;
    try {
      transaction = await this.ledger.writeBatch(async (batch) => {
        const open = await this.grants.lockOpen(batch.trx, [request.accountId]);
        const splitter = new DebitSplitter(request.accountId, open.get(request.accountId) ?? []);
        const postings = adjustmentPostings(request.accountId, amount, splitter);
        const [recorded] = await batch.record([
          { kind: 'adjustment', idempotencyKey: key, requestId: null, reason: request.reason, postings },
        ]);
        return recorded;
      });
    } catch (error) {
      if (holdId !== undefined) await this.store.release(request.accountId, holdId);
      throw error;
    }
    // A retried debit may split differently across grants: what must match is the account's total and the reason.
    if (
      transaction.kind !== 'adjustment' ||
      customerDelta(transaction.postings, request.accountId) !== amount ||
      transaction.reason !== request.reason
    ) {
      if (holdId !== undefined) await this.store.release(request.accountId, holdId);
      throw conflict('adjustment');
    }
    await this.applier.apply(request.accountId, transaction, amount, holdId);
    return this.answer(request.accountId, transaction);
  }

  /**
   * Holds a debit's amount as a call would, so it never takes what in-flight calls hold; a
   * debit already applied (a retry) holds nothing.
   */
  private async holdDebit(accountId: string, holdId: string, amount: bigint): Promise<void> {
    const reserve = () =>
      this.store.reserve({
        accountId,
        reservationId: holdId,
        amount,
        expiresAtMs: Date.now() + DEBIT_HOLD_MS,
        settlementKey: holdId,
      });
    let outcome = await reserve();
    if (outcome.status === 'insufficient' && (await this.applier.hydrate(accountId))) outcome = await reserve();
    if (outcome.status === 'insufficient') {
      throw new PolymuxException(
        ErrorCode.InsufficientCredits,
        `insufficient credits: ${outcome.available < 0n ? 0n : outcome.available} nano-USD available, ${amount} to debit`,
      );
    }
  }

  private async answer(accountId: string, transaction: StoredTransaction) {
    const { balance, reserved } = await this.store.balance(accountId);
    return { accountId, balance: balance.toString(), reserved: reserved.toString(), applied: transaction.inserted };
  }
}
