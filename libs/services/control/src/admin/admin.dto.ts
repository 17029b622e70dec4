import { KeyEndpoint, LedgerKind } from '@polymux/contracts';
import { allowlistEntry } from '@polymux/http';
import { z } from 'zod';

import { ROLES } from '../access/roles';
import { PAGE_FIELDS } from '../pagination';

/** No control characters (Postgres refuses NUL in text; newlines would forge log lines). */
const NO_CONTROL = /^[^\p{Cc}]*$/u;
export const name = z.string().trim().min(1).max(200).regex(NO_CONTROL, 'must not contain control characters');
/** Model names as the catalog spells them: printable ASCII without spaces. */
export const modelName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** An `Idempotency-Key` header: what clients generate (UUIDs, ULIDs, hashes), stored with the credit movement. */
export const IdempotencyKey = z
  .string({ error: 'an Idempotency-Key header is required for credit movements' })
  .min(1, 'an Idempotency-Key header is required for credit movements')
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const CreateNamed = z.object({ name });
export const CreateProject = z.object({
  name,
  teamId: z.uuid().nullable().optional(),
  dataRetention: z.boolean().optional(),
});
export const UpdateProject = z.object({ dataRetention: z.boolean() });
const limit = z.number().int().positive().max(1_000_000_000);
/** Models and aliases the key may call (a model admits its aliases too); null: any. */
const allowedModels = z.array(modelName).min(1).max(1000).nullable().optional();
/** The public APIs the key may call (`KeyEndpoint`); null: every one. */
const allowedEndpoints = z
  .array(KeyEndpoint)
  .min(1)
  .max(KeyEndpoint.options.length * 2)
  .transform((endpoints) => [...new Set(endpoints)])
  .nullable()
  .optional();
/** CIDR ranges or single addresses the key may be used from, stored as canonical ranges; null: any. */
const ipAllowlist = z
  .array(
    z
      .string()
      .max(64)
      .transform((value, context) => {
        const entry = allowlistEntry(value);
        if ('cidr' in entry) return entry.cidr;
        context.issues.push({ code: 'custom', message: entry.problem, input: value });
        return z.NEVER;
      }),
  )
  .min(1)
  .max(100)
  .transform((ranges) => [...new Set(ranges)])
  .nullable()
  .optional();
const expiresAt = z.iso.datetime({ offset: true }).nullable().optional();
export const CreateKey = z.object({
  name,
  /** The key's own rate limits (`PATCH /admin/v1/keys/:id` changes them). */
  rpm: limit.optional(),
  tpm: limit.optional(),
  maxConcurrent: limit.optional(),
  admin: z.boolean().optional(),
  allowedModels,
  allowedEndpoints,
  ipAllowlist,
  expiresAt,
  /** A personal key of this user of the project's org. */
  userId: z.string().max(64).nullable().optional(),
});
/** A key's scopes, expiry and rate limits changed: a value sets one, null lifts it, absent keeps it. */
export const UpdateKey = z.strictObject({
  rpm: limit.nullable().optional(),
  tpm: limit.nullable().optional(),
  maxConcurrent: limit.nullable().optional(),
  allowedModels,
  allowedEndpoints,
  ipAllowlist,
  expiresAt,
});
/** The longest a rotated-out secret may keep working: 7 days. */
export const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;
/** A key's rotation: how long its current secret keeps working beside the new one (default 24 h; 0: it stops now). */
export const RotateKey = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_OVERLAP_SECONDS)
    .default(24 * 3600),
});
/** A role held org-wide (no `teamId`) or in one team of the user's org. */
export const RoleGrantBody = z.strictObject({
  role: z.enum(ROLES),
  teamId: z.uuid().nullable().optional(),
});
export const RoleGrants = z.array(RoleGrantBody).max(50);
export const CreateUser = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200).optional(),
  roles: RoleGrants.optional(),
});
export const SetRoles = z.strictObject({ roles: RoleGrants });
export const TopUp = z.object({
  amountUsd: z.string().regex(/^\d+(\.\d{1,9})?$/, 'a positive USD amount such as "10.00"'),
});
const usd = /^\d+(\.\d{1,9})?$/;
/** Why an operator moves credit: shown in the ledger and the audit trail. */
const reason = z.string().trim().min(1).max(500).regex(NO_CONTROL, 'must not contain control characters');
export const Grant = z.object({
  amountUsd: z.string().regex(usd, 'a positive USD amount such as "10.00"'),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  reason,
});
export const Refund = z.object({
  requestId: z.string().min(1).max(256),
  amountUsd: z.string().regex(usd, 'a positive USD amount such as "0.25"'),
  reason,
});
export const Adjustment = z.object({
  amountUsd: z.string().regex(/^-?\d+(\.\d{1,9})?$/, 'a signed USD amount such as "5.00" or "-1.50"'),
  reason,
});
/** A project's ledger, newest first, paged like every admin list. */
export const LedgerParams = z.strictObject({
  requestId: z.string().max(256).optional(),
  kind: LedgerKind.optional(),
  ...PAGE_FIELDS,
});
/** `GET /admin/v1/orgs/:orgId/projects?teamId=`: paged, optionally one team's. */
export const ProjectListParams = z.strictObject({ ...PAGE_FIELDS, teamId: z.uuid().optional() });

/** `GET /admin/v1/projects/:projectId/keys?userId=&status=`: paged, filtered by owner and state. */
export const KeyListParams = z.strictObject({
  ...PAGE_FIELDS,
  userId: z.uuid().optional(),
  status: z.enum(['active', 'revoked']).optional(),
});
