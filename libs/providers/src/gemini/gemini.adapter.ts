import type { ChatChunk, ChatResponse, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { GeminiGenerateContentRequest, GeminiGenerateContentResponse } from '@polymux/wire';

import { UpstreamClient } from '../http/upstream-client';
import type { UpstreamRequest } from '../http/upstream-client';
import type { EmbedCall, ProviderAdapter, ProviderCall, UpstreamTimeouts } from '../provider-adapter';
import { toBatchEmbedBody, toEmbeddingResponse } from './gemini.embeddings';
import { toGeminiRequest } from './gemini.request';
import { toChatResponse } from './gemini.response';
import { GeminiStreamDecoder, errorFromGoogleEvent } from './gemini.stream';

const PROVIDER = 'gemini';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const malformed = (provider: string, what: string) =>
  new PolymuxException(ErrorCode.UpstreamError, `${provider} answered ${what}`);

/** How one `generateContent` call reaches its endpoint (the Gemini API's, or Vertex AI's). */
export type GenerateContentRequest = (body: GeminiGenerateContentRequest, stream: boolean) => UpstreamRequest;

/**
 * An answer or stream chunk, checked only for being an object with candidates or prompt feedback:
 * the mappers read each field defensively (a schema parse of every chunk buys nothing more).
 */
const answerOf = (provider: string, value: unknown): GeminiGenerateContentResponse => {
  if (!isObject(value) || (!Array.isArray(value.candidates) && !isObject(value.promptFeedback)))
    throw malformed(provider, 'an answer without candidates');
  return value as GeminiGenerateContentResponse;
};

/** A non-streaming `generateContent` call through `client`. */
export const completeGenerateContent = async (
  client: UpstreamClient,
  provider: string,
  call: ProviderCall,
  send: GenerateContentRequest,
): Promise<ChatResponse> => {
  const { body, names } = toGeminiRequest(call.request);
  const answer = answerOf(provider, await client.postJson(send(body, false)));
  return toChatResponse(answer, names, call.deployment.upstreamModel);
};

/** A `streamGenerateContent?alt=sse` call through `client`, as canonical chunks. */
export async function* streamGenerateContent(
  client: UpstreamClient,
  provider: string,
  call: ProviderCall,
  send: GenerateContentRequest,
): AsyncGenerator<ChatChunk> {
  const { body, names } = toGeminiRequest(call.request);
  const decoder = new GeminiStreamDecoder(names, call.deployment.upstreamModel);
  for await (const event of client.postEvents(send(body, true))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      throw malformed(provider, 'a stream event that is not JSON');
    }
    if (isObject(parsed) && 'error' in parsed) throw errorFromGoogleEvent(provider, event.data);
    yield* decoder.decode(answerOf(provider, parsed));
  }
  if (!decoder.finished) throw malformed(provider, 'a stream that ended before the answer finished');
  const last = decoder.end();
  if (last) yield last;
}

/**
 * `{baseUrl}/models/{model}:{method}`. Like every catalog deployment, the base URL names the API
 * version (`https://generativelanguage.googleapis.com/v1beta`); a bare origin gets `/v1beta`.
 */
export const geminiUrl = (baseUrl: string, model: string, method: string): string => {
  const base = baseUrl.replace(/\/+$/, '');
  const versioned = /\/v\d+(alpha|beta)?\d*$/.test(base) ? base : `${base}/v1beta`;
  return `${versioned}/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${method}`;
};

/** The Gemini API (Google AI Studio): `generateContent`, `streamGenerateContent`, `batchEmbedContents`. */
export class GeminiAdapter implements ProviderAdapter {
  readonly provider = PROVIDER;
  /** Gemini reads inline data and Google URIs only: the executor inlines http(s) media first. */
  readonly fetchesMediaUrls = false;
  private readonly client: UpstreamClient;

  constructor(timeouts: UpstreamTimeouts) {
    this.client = new UpstreamClient(PROVIDER, timeouts);
  }

  complete(call: ProviderCall): Promise<ChatResponse> {
    return completeGenerateContent(this.client, PROVIDER, call, (body) => this.upstreamRequest(call, body, false));
  }

  stream(call: ProviderCall): AsyncGenerator<ChatChunk> {
    return streamGenerateContent(this.client, PROVIDER, call, (body) => this.upstreamRequest(call, body, true));
  }

  async embed(call: EmbedCall): Promise<EmbeddingResponse> {
    const { deployment, request } = call;
    const body = await this.client.postJson({
      url: geminiUrl(call.baseUrl, deployment.upstreamModel, 'batchEmbedContents'),
      headers: this.headers(call, false),
      body: JSON.stringify(toBatchEmbedBody(request, deployment.upstreamModel)),
      signal: call.signal,
      limits: call.timeouts,
    });
    return toEmbeddingResponse(body, request.input.length, deployment.upstreamModel);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private headers(call: Pick<ProviderCall, 'headers' | 'apiKey'>, stream: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      ...call.headers,
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (call.apiKey) headers['x-goog-api-key'] = call.apiKey;
    return headers;
  }

  private upstreamRequest(call: ProviderCall, body: GeminiGenerateContentRequest, stream: boolean): UpstreamRequest {
    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return {
      url: geminiUrl(call.baseUrl, call.deployment.upstreamModel, method),
      headers: this.headers(call, stream),
      body: JSON.stringify(body),
      signal: call.signal,
      limits: call.timeouts,
    };
  }
}
