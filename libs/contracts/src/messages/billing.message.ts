import { z } from 'zod';

import { BudgetUse, CallScopes } from './budget.message';
import { Money } from './money';
import { CallFacts } from './org-plan.message';

export const ReserveRequest = z.object({
  accountId: z.string(),
  /** The call's maximum possible cost. */
  amount: Money,
  ttlSeconds: z.number().int().positive(),
  /** The call's org, team, project and key: the budgets it counts against; absent, none. */
  scopes: CallScopes.optional(),
  /** What the org's plan checks (a free plan's models and token quota); absent, nothing is checked. */
  call: CallFacts.optional(),
});
export const Reservation = z.object({
  reservationId: z.string(),
  amount: Money,
  /** The budgets the hold counted against, with their period spend: what budget pressure weighs. */
  budgets: z.array(BudgetUse).optional(),
});
export type Reservation = z.infer<typeof Reservation>;

/** `orgId` frees the hold on the org's budgets too (the reservation's `scopes.orgId`). */
export const ReleaseRequest = z.object({
  accountId: z.string(),
  reservationId: z.string(),
  orgId: z.string().optional(),
});
export const Released = z.object({ released: z.boolean() });

export const TopUpRequest = z.object({
  accountId: z.string(),
  amount: Money,
  /** A retried top-up with the same key is applied once. */
  idempotencyKey: z.string().min(1),
});
export const Balance = z.object({
  accountId: z.string(),
  /** Credits minus settled charges. */
  balance: Money,
  /** Held by calls in flight. */
  reserved: Money,
});
export type Balance = z.infer<typeof Balance>;
export const TopUpResult = Balance.extend({ applied: z.boolean() });

export const BalanceRequest = z.object({ accountId: z.string() });

/** Why an operator moved credit: required on grants, refunds and adjustments, shown in the ledger. */
const Reason = z.string().min(1).max(500);

/** Promotional credit, spent before paid credit; at `expiresAt` what is left of it leaves the account. */
export const GrantRequest = z.object({
  accountId: z.string(),
  amount: Money,
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  reason: Reason,
  idempotencyKey: z.string().min(1),
});
export const GrantResult = TopUpResult.extend({ grantId: z.string(), expiresAt: z.string().nullable() });

/** Gives back part or all of what a request was charged (its charge and overrun), as paid credit. */
export const RefundRequest = z.object({
  accountId: z.string(),
  requestId: z.string().min(1),
  amount: Money,
  reason: Reason,
  idempotencyKey: z.string().min(1),
});

/** A signed correction of the balance: positive credits paid credit, negative debits like a charge. */
export const AdjustmentRequest = z.object({
  accountId: z.string(),
  amount: Money,
  reason: Reason,
  idempotencyKey: z.string().min(1),
});
/** Refunds and adjustments answer like top-ups. */
export const CreditResult = TopUpResult;

export const LedgerKind = z.enum(['top_up', 'charge', 'overrun', 'grant', 'grant_expiry', 'refund', 'adjustment']);
/** An account's entries, newest first; `beforeId` pages on (the last entry id of the page before). */
export const LedgerQuery = z.object({
  accountId: z.string(),
  requestId: z.string().optional(),
  kind: LedgerKind.optional(),
  beforeId: z
    .string()
    .regex(/^\d{1,19}$/)
    .optional(),
  limit: z.number().int().positive().max(1001).default(100),
});
export const LedgerEntry = z.object({
  id: z.string(),
  transactionId: z.string(),
  account: z.string(),
  amount: Money,
  kind: LedgerKind,
  requestId: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;
export const LedgerEntries = z.object({ entries: z.array(LedgerEntry) });
