import {
  GeminiBatchEmbedContentsRequest,
  GeminiEmbedContentRequest,
  GeminiGenerateContentRequest,
} from '@polymux/wire';
import type { FastifyReply } from 'fastify';

import type { Exchange } from '../exchange';
import { DEFAULT_DIMENSIONS, embeddingVector } from '../openai/embeddings';
import type { Scenario } from '../scenario';
import type { SimFormat, SimHandler, SimRequest } from '../sim-route';
import { writeEventStream } from '../sse-writer';
import { generationBody, generationChunks, generationEvents, geminiRuleViolation, planGeneration } from './generate';
import { describeGoogleIssue, googleError, sendGoogleError } from './google-error';

let sequence = 0;
const nextId = (): string => `sim${(sequence += 1).toString(36).padStart(10, '0')}`;

/** The model and method of a `{model}:{method}` path segment. */
export const targetOf = (request: SimRequest): { model: string; method: string } => {
  const target = (request.params as { target?: string }).target ?? '';
  const at = target.lastIndexOf(':');
  return at === -1 ? { model: target, method: '' } : { model: target.slice(0, at), method: target.slice(at + 1) };
};

const streamed = async (
  request: SimRequest,
  reply: FastifyReply,
  exchange: Exchange,
  scenario: Scenario,
  plan: ReturnType<typeof planGeneration>,
): Promise<FastifyReply> => {
  const sse = (request.query as { alt?: string } | undefined)?.alt === 'sse';
  // Without alt=sse Google answers the chunks as one JSON array.
  if (!sse) return reply.send([...generationChunks(plan)].map(({ token: _token, ...chunk }) => chunk));
  reply.hijack();
  const echoed = scenario.echo ? `Simulated mid-stream failure, you sent: ${JSON.stringify(request.body)}` : undefined;
  await writeEventStream(exchange, generationEvents(plan), scenario, {}, JSON.stringify(googleError(500, echoed)));
  return reply;
};

/** `:generateContent` and `:streamGenerateContent`, the body validated as Gemini validates it. */
export const generateContent = async (
  request: SimRequest,
  reply: FastifyReply,
  exchange: Exchange,
  scenario: Scenario,
): Promise<unknown> => {
  const parsed = GeminiGenerateContentRequest.safeParse(request.body);
  if (!parsed.success) return sendGoogleError(reply, 400, describeGoogleIssue(parsed.error.issues));
  const violation = geminiRuleViolation(parsed.data);
  if (violation) return sendGoogleError(reply, 400, violation);
  const { model, method } = targetOf(request);
  const plan = planGeneration(parsed.data, model, scenario, nextId());
  if (method === 'streamGenerateContent') return streamed(request, reply, exchange, scenario, plan);
  return reply.send(generationBody(plan));
};

const vectorOf = (content: { parts: Array<{ text?: string }> }, dimensions: number | undefined) =>
  Array.from(embeddingVector(content.parts.map((part) => part.text ?? '').join(''), dimensions ?? DEFAULT_DIMENSIONS));

const embed: SimHandler = (request, reply) => {
  const { method } = targetOf(request);
  if (method === 'embedContent') {
    const parsed = GeminiEmbedContentRequest.safeParse(request.body);
    if (!parsed.success) return sendGoogleError(reply, 400, describeGoogleIssue(parsed.error.issues));
    return reply.send({ embedding: { values: vectorOf(parsed.data.content, parsed.data.outputDimensionality) } });
  }
  const parsed = GeminiBatchEmbedContentsRequest.safeParse(request.body);
  if (!parsed.success) return sendGoogleError(reply, 400, describeGoogleIssue(parsed.error.issues));
  return reply.send({
    embeddings: parsed.data.requests.map((entry) => ({ values: vectorOf(entry.content, entry.outputDimensionality) })),
  });
};

const GENERATE = new Set(['generateContent', 'streamGenerateContent']);
const EMBED = new Set(['embedContent', 'batchEmbedContents']);

/** Dispatches `models/{model}:{method}` (Fastify routes a path segment, not what follows its colon). */
export const modelMethod: SimHandler = (request, reply, exchange, scenario) => {
  const { method } = targetOf(request);
  if (GENERATE.has(method)) return generateContent(request, reply, exchange, scenario);
  if (EMBED.has(method)) return embed(request, reply, exchange, scenario);
  return sendGoogleError(reply, 404, `Method ${method || '(none)'} is not found for this model.`);
};

/** The Gemini API under `/v1beta/models/{model}:{method}` (the key in `x-goog-api-key`, not checked). */
export const geminiFormat = (): SimFormat => ({
  name: 'gemini',
  routes: [{ method: 'POST', url: '/v1beta/models/:target', handler: modelMethod }],
  sendError: sendGoogleError,
  owns: (path) => path.startsWith('/v1beta/'),
});
