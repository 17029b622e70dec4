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

/** Anthropic's native Messages API (`anthropic-version: 2023-06-01`). */
export class AnthropicAdapter implements ProviderAdapter {
  readonly provider = PROVIDER;
  private readonly client: UpstreamClient;

  constructor(timeouts: UpstreamTimeouts) {
    this.client = new UpstreamClient(PROVIDER, timeouts);
  }

  async complete(call: ProviderCall): Promise<ChatResponse> {
    const anthropic = toAnthropicRequest(
      { ...call.request, stream: false },
      { model: call.deployment.upstreamModel, defaultMaxTokens: call.deployment.maxOutputTokens },
    );
    const body = await this.client.postJson(this.upstreamRequest(call, anthropic, false));
    if (!isObject(body) || !Array.isArray(body.content)) throw malformed('a message without content');
    return toChatResponse(body as unknown as AnthropicResponse, anthropic, call.deployment.upstreamModel);
  }

  async *stream(call: ProviderCall): AsyncGenerator<ChatChunk> {
    const anthropic = toAnthropicRequest(
      { ...call.request, stream: true },
      { model: call.deployment.upstreamModel, defaultMaxTokens: call.deployment.maxOutputTokens },
    );
    const decoder = new AnthropicStreamDecoder(anthropic, call.deployment.upstreamModel);
    for await (const event of this.client.postEvents(this.upstreamRequest(call, anthropic, true))) {
      if (decoder.stopped) continue;
      const chunk = decoder.decode(parseEvent(event.data), event.data);
      if (chunk) yield chunk;
    }
    if (!decoder.stopped) throw malformed('a stream that ended before message_stop');
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private upstreamRequest(call: ProviderCall, anthropic: AnthropicCall, stream: boolean): UpstreamRequest {
    const { 'anthropic-beta': deploymentBetas, ...deploymentHeaders } = call.headers ?? {};
    const headers: Record<string, string> = {
      ...deploymentHeaders,
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
    };
    const betas = allowedBetas(deploymentBetas, call.request.extra?.anthropic_beta);
    if (betas) headers['anthropic-beta'] = betas;
    if (call.apiKey) headers['x-api-key'] = call.apiKey;
    return { url: messagesUrl(call.baseUrl), headers, body: JSON.stringify(anthropic.body), signal: call.signal };
  }
}
