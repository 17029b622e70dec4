import { Inject, Injectable } from '@nestjs/common';
import type { Balance, Reservation, RequestOf, Subjects } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { assertCustomerAccount, ledgerKeys, parseAmount } from './ledger/postings';
import { SettlementLag } from './settlement-lag.service';
import type { BalanceStore } from './store/balance.store';
import { BALANCE_STORE } from './store/balance.store';

/** The call path: holds and frees credits in the balance store only, never in Postgres. */
@Injectable()
export class ReservationsService {
  constructor(
    @Inject(BALANCE_STORE) private readonly store: BalanceStore,
    private readonly lag: SettlementLag,
  ) {}

  /**
   * Holds a call's maximum cost under its request id, so a retried reserve holds once. Fails closed
   * while settlement lags: credits held now could not be settled, only piled up.
   */
  async reserve(request: RequestOf<typeof Subjects.reserve>, requestId: string | undefined): Promise<Reservation> {
    if (!requestId) {
      throw new PolymuxException(ErrorCode.InvalidRequest, 'a reservation needs the x-request-id header');
    }
    assertCustomerAccount(request.accountId);
    const amount = parseAmount(request.amount, 'amount');
    this.lag.assertCurrent();
    const outcome = await this.store.reserve({
      accountId: request.accountId,
      reservationId: requestId,
      amount,
      expiresAtMs: Date.now() + request.ttlSeconds * 1000,
      settlementKey: ledgerKeys.charge(requestId),
    });
    switch (outcome.status) {
      case 'held':
        return { reservationId: requestId, amount: outcome.amount.toString() };
      case 'insufficient':
        throw new PolymuxException(
          ErrorCode.InsufficientCredits,
          `insufficient credits: ${outcome.available < 0n ? 0n : outcome.available} nano-USD available, ${amount} needed`,
        );
      case 'settled':
        throw new PolymuxException(ErrorCode.Conflict, `request ${requestId} is already settled`);
    }
  }

  async release(request: RequestOf<typeof Subjects.release>): Promise<boolean> {
    return this.store.release(request.accountId, request.reservationId);
  }

  async balance(accountId: string): Promise<Balance> {
    const { balance, reserved } = await this.store.balance(accountId);
    return { accountId, balance: balance.toString(), reserved: reserved.toString() };
  }
}
