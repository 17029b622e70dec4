import { z } from 'zod';

const name = z.string().trim().min(1).max(200);

export const CreateNamed = z.object({ name });
export const CreateProject = z.object({
  name,
  teamId: z.uuid().nullable().optional(),
  dataRetention: z.boolean().optional(),
});
export const UpdateProject = z.object({ dataRetention: z.boolean() });
export const CreateKey = z.object({
  name,
  admin: z.boolean().optional(),
  allowedModels: z.array(z.string().min(1)).min(1).nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});
export const TopUp = z.object({
  amountUsd: z.string().regex(/^\d+(\.\d{1,9})?$/, 'a positive USD amount such as "10.00"'),
});
export const LedgerParams = z.object({
  requestId: z.string().optional(),
  limit: z.coerce.number().int().positive().max(1000).default(100),
});
export const AuditParams = z.object({
  requestId: z.string().optional(),
  limit: z.coerce.number().int().positive().max(1000).default(100),
});
