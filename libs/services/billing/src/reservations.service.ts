import { Inject, Injectable } from '@nestjs/common';
import type { Balance, Reservation, RequestOf, Subjects } from '@polymux/contracts';
import { ErrorCode, PolymuxException, nanoToUsd } from '@polymux/contracts';

import type { BudgetHold } from './budgets/budgets.service';
import { BudgetsService } from './budgets/budgets.service';
import { LedgerApplier } from './ledger/ledger-applier';
import { assertCustomerAccount, ledgerKeys, parseAmount } from './ledger/postings';
import { PlansService } from './plans/plans.service';
import { SettlementLag } from './settlement-lag.service';
import type { BalanceStore, ReserveInStore, ReserveOutcome } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

const exceeded = (outcome: Extract<BudgetHold, { status: 'exceeded' }>, amount: bigint) => {
  const { budget, used, limit, period } = outcome;
  return new PolymuxException(
    ErrorCode.BudgetExceeded,
    `the ${budget.period} budget of ${budget.scope} ${budget.scope_id} would be exceeded: $${nanoToUsd(used)} of its ` +
      `$${nanoToUsd(limit)} hard limit is spent or held, and this call may cost up to $${nanoToUsd(amount)} ` +
      `(budget ${budget.id}; the period ends ${new Date(period.endMs).toISOString()})`,
  );
};

/** The call path: holds and frees credits and budgets in their stores only, never in Postgres. */
@Injectable()
export class ReservationsService {
  constructor(
    @Inject(BALANCE_STORE) private readonly store: BalanceStore,
    private readonly budgets: BudgetsService,
    private readonly plans: PlansService,
    private readonly lag: SettlementLag,
    private readonly applier: LedgerApplier,
  ) {}

  /**
   * Holds a call's maximum cost under its request id, on the balance and on every budget of its
   * scopes, so a retried reserve holds once. The balance (its project's account) and the budgets
   * (its org's) are separate atomic steps, sent together: when one refuses, the other's hold is
   * given back, so a call holds on both or on neither. Then the org's plan admits the call (a free
   * plan's models and daily quota, checked with the definitions the budget store just accepted as
   * current), or both holds are given back. A free plan's call holds nothing on either: the operator
   * funds it (docs/billing.md, "Plans"), so a free org needs no credits. An invoiced org's account
   * may hold down to minus its credit limit (the floor of the plan in the definitions the budget
   * store accepted: held again under that floor when this replica's was older). Fails closed while settlement lags: credits
   * held now could not be settled, only piled up.
   */
  async reserve(request: RequestOf<typeof Subjects.reserve>, requestId: string | undefined): Promise<Reservation> {
    if (!requestId) {
      throw new PolymuxException(ErrorCode.InvalidRequest, 'a reservation needs the x-request-id header');
    }
    assertCustomerAccount(request.accountId);
    const listed = parseAmount(request.amount, 'amount');
    this.lag.assertCurrent();
    // A free plan's call is charged nothing: it holds nothing on the balance (which it need not have) or the budgets.
    const free = request.scopes !== undefined && this.plans.isFree(request.scopes.orgId);
    const amount = free ? 0n : listed;
    const expiresAtMs = Date.now() + request.ttlSeconds * 1000;
    const settlementKey = ledgerKeys.charge(requestId);
    const hold = { accountId: request.accountId, reservationId: requestId, amount, expiresAtMs, settlementKey };
    // An invoiced org's accounts may go below zero, down to its credit limit (this replica's view of it).
    const floor = request.scopes === undefined ? 0n : this.plans.floor(request.scopes.orgId);
    const [reserved, budget] = await Promise.allSettled([
      free ? Promise.resolve<ReserveOutcome>({ status: 'held', amount: 0n }) : this.reserveBalance({ ...hold, floor }),
      request.scopes
        ? this.budgets.hold(request.scopes, { reservationId: requestId, amount, expiresAtMs, settlementKey })
        : Promise.resolve<BudgetHold>({ status: 'held', uses: [] }),
    ]);
    let balance = reserved;
    if (!free && budget.status === 'fulfilled' && budget.value.status === 'held' && budget.value.org) {
      // The budget store accepted newer definitions than this replica had: the floor is theirs.
      const accepted = this.plans.floorIn(budget.value.org);
      if (accepted !== floor) {
        if (balance.status === 'fulfilled' && balance.value.status === 'held') {
          await this.store.release(request.accountId, requestId);
        }
        [balance] = await Promise.allSettled([this.reserveBalance({ ...hold, floor: accepted })]);
      }
    }
    const balanceHeld = balance.status === 'fulfilled' && balance.value.status === 'held';
    const budgetHeld = budget.status === 'fulfilled' && budget.value.status === 'held';
    if (!balanceHeld || !budgetHeld) {
      await Promise.all([
        balanceHeld ? this.store.release(request.accountId, requestId) : undefined,
        budgetHeld && request.scopes ? this.budgets.release(request.scopes.orgId, requestId) : undefined,
      ]);
    }
    if (budget.status === 'rejected') throw budget.reason;
    if (budget.value.status === 'exceeded') throw exceeded(budget.value, amount);
    if (balance.status === 'rejected') throw balance.reason;
    const held = this.heldOrThrow(balance.value, amount, requestId);
    if (budget.value.status === 'settled') throw this.settled(requestId);
    if (request.scopes && budget.value.org) {
      const { orgId } = request.scopes;
      const giveBack = () =>
        Promise.all([this.store.release(request.accountId, requestId), this.budgets.release(orgId, requestId)]);
      const plan = await this.plans
        .admit(orgId, budget.value.org, request.call, { reservationId: requestId, expiresAtMs, settlementKey })
        .catch(async (error: unknown) => {
          await giveBack();
          throw error;
        });
      if (free && plan !== 'free') {
        // The org left its free plan while this call was checked: what it held would not cover the call.
        await Promise.all([giveBack(), this.plans.release(orgId, requestId)]);
        throw new PolymuxException(
          ErrorCode.ServiceUnavailable,
          "the org's plan changed while this call was checked; try again",
          {
            retryAfterSeconds: 1,
          },
        );
      }
    }
    return {
      reservationId: requestId,
      amount: held.toString(),
      ...(budget.value.uses.length > 0 ? { budgets: budget.value.uses } : {}),
    };
  }

  async release(request: RequestOf<typeof Subjects.release>): Promise<boolean> {
    const [balance, budgets, quota] = await Promise.all([
      this.store.release(request.accountId, request.reservationId),
      request.orgId === undefined ? false : this.budgets.release(request.orgId, request.reservationId),
      request.orgId === undefined ? false : this.plans.release(request.orgId, request.reservationId),
    ]);
    return balance || budgets || quota;
  }

  async balance(accountId: string): Promise<Balance> {
    const { balance, reserved } = await this.store.balance(accountId);
    return { accountId, balance: balance.toString(), reserved: reserved.toString() };
  }

  /** Holds on the balance; an account the store does not know under a floor below zero is hydrated first. */
  private async reserveBalance(request: ReserveInStore): Promise<ReserveOutcome> {
    const outcome = await this.store.reserve(request);
    if (outcome.status !== 'unknown') return outcome;
    await this.applier.hydrate(request.accountId).catch((error: unknown) => {
      throw new PolymuxException(
        ErrorCode.ServiceUnavailable,
        `the balance of ${request.accountId} could not be read: ${(error as Error).message}`,
        { retryAfterSeconds: 1 },
      );
    });
    return this.store.reserve(request);
  }

  private heldOrThrow(outcome: ReserveOutcome, amount: bigint, requestId: string): bigint {
    switch (outcome.status) {
      case 'held':
        return outcome.amount;
      case 'insufficient':
        throw new PolymuxException(
          ErrorCode.InsufficientCredits,
          `insufficient credits: ${outcome.available < 0n ? 0n : outcome.available} nano-USD available, ${amount} needed`,
        );
      case 'settled':
        throw this.settled(requestId);
      case 'unknown':
        throw new PolymuxException(ErrorCode.ServiceUnavailable, 'the balance is being rebuilt; try again', {
          retryAfterSeconds: 1,
        });
    }
  }

  private settled(requestId: string): PolymuxException {
    return new PolymuxException(ErrorCode.Conflict, `request ${requestId} is already settled`);
  }
}
