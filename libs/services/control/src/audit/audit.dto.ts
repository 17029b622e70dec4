import { AuditCategory } from '@polymux/contracts';
import { z } from 'zod';

import { PAGE_FIELDS } from '../pagination';

/** An id or an action as the trail stores them: printable ASCII without spaces. */
const value = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** The most records one export holds; a larger trail is exported in several, by time range or `cursor`. */
export const EXPORT_MAX_RECORDS = 100_000;

const Filters = {
  /** A key id or a user id. */
  actor: value.optional(),
  action: value.optional(),
  category: AuditCategory.optional(),
  orgId: value.optional(),
  projectId: value.optional(),
  requestId: z.string().min(1).max(256).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** `nextCursor` of the page before (an export's: its `x-polymux-next-cursor` header). */
  cursor: PAGE_FIELDS.cursor,
};

const orderedRange = (params: { from?: string; to?: string }) =>
  params.from === undefined || params.to === undefined || Date.parse(params.from) < Date.parse(params.to);
const RANGE = { message: 'from must be before to', path: ['from'] };

/** `GET /admin/v1/audit`: a page of the trail, newest first. */
export const AuditParams = z.strictObject({ ...Filters, limit: PAGE_FIELDS.limit }).refine(orderedRange, RANGE);
export type AuditParams = z.infer<typeof AuditParams>;

/** `GET /admin/v1/audit/export`: the same filters, as CSV or JSON lines, at most `limit` records. */
export const AuditExportParams = z
  .strictObject({
    ...Filters,
    format: z.enum(['csv', 'jsonl']).default('jsonl'),
    limit: z.coerce.number().int().positive().max(EXPORT_MAX_RECORDS).default(EXPORT_MAX_RECORDS),
  })
  .refine(orderedRange, RANGE);
export type AuditExportParams = z.infer<typeof AuditExportParams>;

/** `GET /admin/v1/audit/verify`: every chain, or one organisation's. */
export const AuditVerifyParams = z.strictObject({ orgId: value.optional() });
