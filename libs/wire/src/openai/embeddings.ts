import { z } from 'zod';

/**
 * OpenAI's Embeddings wire format (`POST /v1/embeddings`), defined once: ingress validates inbound
 * bodies with the request schema (adding its own bounds) and writes the list, the OpenAI adapter
 * writes requests and reads lists, the provider simulator validates requests and writes lists.
 */

/** Token ids as OpenAI takes them. */
const tokens = z.array(z.number().int()).min(1);

/**
 * The request body. Strict, like OpenAI, which refuses an unknown argument: the endpoint has no
 * field a hop could drop silently.
 */
export const OpenAiEmbeddingsRequest = z.strictObject({
  model: z.string().min(1),
  /** One text, texts, one token list or token lists. */
  input: z.union([z.string(), z.array(z.string()).min(1), tokens, z.array(tokens).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().optional(),
});
export type OpenAiEmbeddingsRequest = z.infer<typeof OpenAiEmbeddingsRequest>;

/** How a caller wants its vectors: OpenAI's default is `float`. */
export type OpenAiEncodingFormat = NonNullable<OpenAiEmbeddingsRequest['encoding_format']>;

/** The answer: one vector per input by `index`, floats or little-endian float32 base64. */
export const OpenAiEmbeddingsList = z.looseObject({
  object: z.literal('list'),
  data: z.array(
    z.looseObject({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: z.looseObject({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});
export type OpenAiEmbeddingsList = z.infer<typeof OpenAiEmbeddingsList>;
