import type { ChatChunk, ChatResponse } from '@polymux/contracts';

import { UpstreamClient } from '../http/upstream-client';
import type { UpstreamRequest } from '../http/upstream-client';
import type { ProviderAdapter, ProviderCall, UpstreamTimeouts } from '../provider-adapter';
import type { AnthropicCall } from './anthropic.request';
import { toAnthropicRequest } from './anthropic.request';
import { toChatResponse } from './anthropic.response';
import { AnthropicStreamDecoder, malformed } from './anthropic.stream';
import type { AnthropicResponse, AnthropicStreamEvent } from '@polymux/wire';
import { ANTHROPIC_VERSION } from '@polymux/wire';

const PROVIDER = 'anthropic';

/**
 * The `anthropic-beta` features a call may turn on, from the deployment's headers or the inbound
 * `anthropic-beta` (`extra.anthropic_beta`): features that change how the model reads, thinks or
 * streams. Betas that make Anthropic store data or run tools on its side (files, code execution,
 * MCP connectors) are left out under zero data retention; anything else is dropped.
 */
export const ANTHROPIC_BETAS: ReadonlySet<string> = new Set([
  'prompt-caching-2024-07-31',
  'extended-cache-ttl-2025-04-11',
  'pdfs-2024-09-25',
  'token-efficient-tools-2025-02-19',
  'fine-grained-tool-streaming-2025-05-14',
  'interleaved-thinking-2025-05-14',
  'output-128k-2025-02-19',
  'context-1m-2025-08-07',
]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const betaValues = (value: unknown): string[] => {
  if (typeof value === 'string') return value.split(',').map((beta) => beta.trim());
  if (Array.isArray(value)) return value.flatMap(betaValues);
  return [];
};

/** The allowed betas of the deployment header and the request, comma-joined; undefined when none. */
export const allowedBetas = (...sources: unknown[]): string | undefined => {
  const betas = [...new Set(sources.flatMap(betaValues))].filter((beta) => ANTHROPIC_BETAS.has(beta));
  return betas.length > 0 ? betas.join(',') : undefined;
};

/**
 * The Messages endpoint of a deployment's base URL. Like every catalog deployment, the base URL
 * names the API version (`https://api.anthropic.com/v1`, `${PROVIDER_SIM_URL}/v1`); Anthropic's
 * bare origin (`https://api.anthropic.com`, what its SDK calls the base URL) gets `/v1` added.
 */
export const messagesUrl = (baseUrl: string): string => {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v\d+$/.test(base) ? `${base}/messages` : `${base}/v1/messages`;
};

const parseEvent = (data: string): AnthropicStreamEvent => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw malformed('a stream event that is not JSON');
  }
  if (!isObject(parsed) || typeof parsed.type !== 'string') throw malformed('a stream event without a type');
  return parsed as AnthropicStreamEvent;
};

/** How one Messages call reaches its endpoint: the request for the mapped body, streamed or not. */
export type MessagesRequest = (anthropic: AnthropicCall, stream: boolean) => UpstreamRequest;

const mapped = (call: ProviderCall, stream: boolean): AnthropicCall =>
  toAnthropicRequest(
    { ...call.request, stream },
    { model: call.deployment.upstreamModel, defaultMaxTokens: call.deployment.maxOutputTokens },
  );

/** A non-streaming Messages call through `client` (Anthropic's API, or Claude on Vertex AI). */
export const completeMessages = async (
  client: UpstreamClient,
  call: ProviderCall,
  send: MessagesRequest,
): Promise<ChatResponse> => {
  const anthropic = mapped(call, false);
  const body = await client.postJson(send(anthropic, false));
  if (!isObject(body) || !Array.isArray(body.content)) throw malformed('a message without content');
  return toChatResponse(body as unknown as AnthropicResponse, anthropic, call.deployment.upstreamModel);
};

/** A streamed Messages call through `client`, as canonical chunks. */
export async function* streamMessages(
  client: UpstreamClient,
  call: ProviderCall,
  send: MessagesRequest,
): AsyncGenerator<ChatChunk> {
  const anthropic = mapped(call, true);
  const decoder = new AnthropicStreamDecoder(anthropic, call.deployment.upstreamModel);
  for await (const event of client.postEvents(send(anthropic, true))) {
    if (decoder.stopped) continue;
    const chunk = decoder.decode(parseEvent(event.data), event.data);
    if (chunk) yield chunk;
  }
  if (!decoder.stopped) throw malformed('a stream that ended before message_stop');
}

/**
 * The headers of a Messages call: the deployment's, then content negotiation, then the allowed
 * betas of the deployment and the request (`allowedBetas`).
 */
export const messagesHeaders = (call: ProviderCall, stream: boolean): Record<string, string> => {
  const { 'anthropic-beta': deploymentBetas, ...deploymentHeaders } = call.headers ?? {};
  const headers: Record<string, string> = {
    ...deploymentHeaders,
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
  };
  const betas = allowedBetas(deploymentBetas, call.request.extra?.anthropic_beta);
  if (betas) headers['anthropic-beta'] = betas;
  return headers;
};

/** Anthropic's native Messages API (`anthropic-version: 2023-06-01`). */
export class AnthropicAdapter implements ProviderAdapter {
  readonly provider = PROVIDER;
  private readonly client: UpstreamClient;

  constructor(timeouts: UpstreamTimeouts) {
    this.client = new UpstreamClient(PROVIDER, timeouts);
  }

  complete(call: ProviderCall): Promise<ChatResponse> {
    return completeMessages(this.client, call, (anthropic, stream) => this.upstreamRequest(call, anthropic, stream));
  }

  stream(call: ProviderCall): AsyncGenerator<ChatChunk> {
    return streamMessages(this.client, call, (anthropic, stream) => this.upstreamRequest(call, anthropic, stream));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private upstreamRequest(call: ProviderCall, anthropic: AnthropicCall, stream: boolean): UpstreamRequest {
    const headers: Record<string, string> = {
      ...messagesHeaders(call, stream),
      'anthropic-version': ANTHROPIC_VERSION,
    };
    if (call.apiKey) headers['x-api-key'] = call.apiKey;
    return {
      url: messagesUrl(call.baseUrl),
      headers,
      body: JSON.stringify(anthropic.body),
      signal: call.signal,
      limits: call.timeouts,
    };
  }
}
