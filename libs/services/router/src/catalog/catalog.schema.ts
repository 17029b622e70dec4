import { TaskType } from '@polymux/contracts';
import { z } from 'zod';

const usd = z.string().regex(/^\d+(\.\d{1,9})?$/, 'a USD amount such as "0.40"');

export const CatalogDeploymentSchema = z.object({
  id: z.string().min(1),
  provider: z.string().min(1),
  baseUrl: z.url(),
  upstreamModel: z.string().min(1),
  credentialRef: z.string().optional(),
  /** USD per million tokens. */
  pricing: z.object({ input: usd, output: usd }),
});

export const CatalogModelSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  contextWindow: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive(),
  capabilities: z
    .object({
      tools: z.boolean().default(false),
      vision: z.boolean().default(false),
      jsonSchema: z.boolean().default(false),
      reasoning: z.boolean().default(false),
    })
    .prefault({}),
  deployments: z.array(CatalogDeploymentSchema).min(1),
});
export type CatalogModel = z.infer<typeof CatalogModelSchema>;

export const CatalogFileSchema = z.object({
  models: z.array(CatalogModelSchema).min(1),
  aliases: z.record(z.string(), z.string()).default({}),
  auto: z.object({
    default: z.array(z.string()).min(1),
    tasks: z.partialRecord(TaskType, z.array(z.string()).min(1)).default({}),
  }),
});
export type CatalogFile = z.infer<typeof CatalogFileSchema>;
