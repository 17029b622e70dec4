import { OpenAiChatRequest, OpenAiEmbeddingsRequest } from '@polymux/wire';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { Exchange } from '../exchange';
import type { SimFormat } from '../sim-route';
import type { Scenario } from '../scenario';
import { writeEventStream } from '../sse-writer';
import { planCompletion, completionBody, streamEvents } from './completion';
import { embeddingsBody } from './embeddings';
import { modelObject, modelsBody } from './models';
import { openAiError } from './openai-error';
import { describeIssue } from './openai-issue';
import { unsupportedParameter } from './reasoning-model';

export type SimRequest = FastifyRequest<{
  Params: { scenario?: string; model?: string; deployment?: string; tenant?: string };
  Querystring: Record<string, string | undefined>;
}>;
export type SimHandler = (request: SimRequest, reply: FastifyReply, exchange: Exchange, scenario: Scenario) => unknown;

/** The largest vector the simulator makes: it allocates one per input. */
const MAX_DIMENSIONS = 8192;
const SimEmbeddingsRequest = OpenAiEmbeddingsRequest.extend({
  dimensions: OpenAiEmbeddingsRequest.shape.dimensions.unwrap().max(MAX_DIMENSIONS).optional(),
});

let sequence = 0;
const nextId = (prefix: string): string => `${prefix}-sim${(sequence += 1).toString(36).padStart(8, '0')}`;

export const sendError = (
  reply: FastifyReply,
  status: number,
  message?: string,
  param?: string | null,
  retryAfterSeconds?: number,
  code?: string,
): FastifyReply => {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  const body =
    code === undefined
      ? openAiError(status, message, param ?? null)
      : openAiError(status, message, param ?? null, code);
  return reply.code(status).send(body);
};

/** How a path of the OpenAI family answers beyond OpenAI's own: Azure's model from the path, its filter annotations. */
export interface ChatFlavour {
  /** The model when the body names none (Azure's deployment, from the path). */
  modelOf?: (request: SimRequest) => string | undefined;
  filterResults?: boolean;
}

/** The 400 of a filtered prompt (`content-filter=prompt`), as Azure answers it. */
const PROMPT_FILTERED =
  "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. (simulated)";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The request body, naming the flavour's model when it names none. */
const bodyOf = (request: SimRequest, flavour: ChatFlavour): unknown => {
  const model = flavour.modelOf?.(request);
  return model && isRecord(request.body) && request.body.model === undefined
    ? { ...request.body, model }
    : request.body;
};

/** Chat Completions, JSON or SSE, in OpenAI's shape with the flavour's additions. */
export const chatCompletionsHandler =
  (flavour: ChatFlavour = {}): SimHandler =>
  async (request, reply, exchange, scenario) => {
    const body = bodyOf(request, flavour);
    const parsed = OpenAiChatRequest.safeParse(body);
    if (!parsed.success) {
      const { message, param } = describeIssue(parsed.error);
      return sendError(reply, 400, message, param);
    }
    const refused = unsupportedParameter(parsed.data);
    if (refused) return sendError(reply, 400, refused.message, refused.param, undefined, refused.code);
    if (scenario.contentFilter === 'prompt')
      return sendError(reply, 400, PROMPT_FILTERED, 'prompt', undefined, 'content_filter');
    const requestId = nextId('req');
    const plan = planCompletion(
      parsed.data,
      scenario,
      { id: nextId('chatcmpl'), created: Math.floor(Date.now() / 1000) },
      { filterResults: flavour.filterResults },
    );
    if (!parsed.data.stream) return reply.header('x-request-id', requestId).send(completionBody(plan));
    reply.hijack();
    const failure = scenario.echo
      ? JSON.stringify(openAiError(500, `Simulated mid-stream failure, you sent: ${JSON.stringify(request.body)}`))
      : undefined;
    await writeEventStream(exchange, streamEvents(plan), scenario, { 'x-request-id': requestId }, failure);
    return reply;
  };

/** Embeddings, with the flavour's model when the body names none. */
export const embeddingsHandler =
  (flavour: ChatFlavour = {}): SimHandler =>
  (request, reply) => {
    const body = bodyOf(request, flavour);
    const parsed = SimEmbeddingsRequest.safeParse(body);
    if (!parsed.success) {
      const { message, param } = describeIssue(parsed.error);
      return sendError(reply, 400, message, param);
    }
    return reply.header('x-request-id', nextId('req')).send(embeddingsBody(parsed.data));
  };

const listModels: SimHandler = (_request, reply) => reply.send(modelsBody());

const retrieveModel: SimHandler = (request, reply) => reply.send(modelObject(request.params.model ?? ''));

/**
 * OpenAI's wire format: Chat Completions, Embeddings and the model list under `/v1`. It also answers
 * every path no other format owns, as OpenAI-compatible servers do.
 */
export const openAiFormat = (): SimFormat => ({
  name: 'openai',
  routes: [
    { method: 'POST', url: '/v1/chat/completions', handler: chatCompletionsHandler() },
    { method: 'POST', url: '/v1/embeddings', handler: embeddingsHandler() },
    { method: 'GET', url: '/v1/models', handler: listModels },
    { method: 'GET', url: '/v1/models/:model', handler: retrieveModel },
  ],
  sendError: (reply, status, message, retryAfterSeconds) => sendError(reply, status, message, null, retryAfterSeconds),
  owns: () => true,
});
