import { TaskType } from '@polymux/contracts';
import { z } from 'zod';

const usd = z.string().regex(/^\d+(\.\d{1,9})?$/, 'a USD amount such as "0.40"');

/** An HTTP header name (RFC 9110 token) and a value without line breaks. */
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name');
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'a header value without line breaks');

export const CatalogDeploymentSchema = z.object({
  /** Unique across the catalog: the one thing an invoke message names. */
  id: z.string().min(1),
  provider: z.string().min(1),
  baseUrl: z.url(),
  upstreamModel: z.string().min(1),
  /** Where the executor reads the API key, e.g. `env:OPENAI_API_KEY`; sent as a bearer token. */
  credentialRef: z
    .string()
    .regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, 'a credentials reference such as env:OPENAI_API_KEY')
    .optional(),
  /** Extra request headers for this deployment (e.g. an organisation or API version); names lower-cased. */
  headers: z
    .record(headerName, headerValue)
    .default({})
    .transform((headers) =>
      Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    ),
  /** USD per million tokens. */
  pricing: z.object({ input: usd, output: usd }),
});
export type CatalogDeployment = z.infer<typeof CatalogDeploymentSchema>;

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
