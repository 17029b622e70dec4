import { Inject, Injectable } from '@nestjs/common';

import type { BalanceStore } from '../store/balance.store';
import { APPLIED_MARKER_TTL_SECONDS, BALANCE_STORE } from '../store/balance.store';
import type { StoredTransaction } from './ledger.repository';
import { LedgerRepository } from './ledger.repository';

/** Applies recorded ledger transactions to the balance store exactly once, hydrating accounts it does not know. */
@Injectable()
export class LedgerApplier {
  constructor(
    private readonly ledger: LedgerRepository,
    @Inject(BALANCE_STORE) private readonly store: BalanceStore,
  ) {}

  /** Applies `delta` (what `transaction` moved on the account's total) once, freeing `reservationId`'s hold. */
  async apply(accountId: string, transaction: StoredTransaction, delta: bigint, reservationId?: string): Promise<void> {
    if (this.predatesMarkers(transaction)) {
      // Recorded before any marker still alive: it was applied back then.
      if (reservationId !== undefined) await this.store.release(accountId, reservationId);
      return;
    }
    const effect = {
      accountId,
      key: transaction.idempotencyKey,
      delta,
      xid: transaction.xid,
      reservationId,
    };
    if ((await this.store.apply(effect)) !== 'unknown') return;
    // A new account, or one lost with Redis: its ledger sum already counts this transaction.
    if (await this.hydrate(accountId)) return;
    await this.store.apply(effect);
  }

  /** Sets the account in the store from its ledger sum, unless the store knows it; answers whether it set it. */
  async hydrate(accountId: string): Promise<boolean> {
    const { snapshot, balance } = await this.ledger.balanceOf(accountId);
    return this.store.hydrate(accountId, balance, snapshot);
  }

  /** Recorded before any applied marker still alive: it was applied back then. */
  predatesMarkers(transaction: StoredTransaction): boolean {
    return !transaction.inserted && Date.now() - transaction.createdAt.getTime() > APPLIED_MARKER_TTL_SECONDS * 1000;
  }
}
