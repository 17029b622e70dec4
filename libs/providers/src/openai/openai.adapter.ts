import type { ChatChunk, ChatResponse, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { OpenAiChatChunk } from '@polymux/wire';
import { OpenAiChatCompletion } from '@polymux/wire';

import { UpstreamClient } from '../http/upstream-client';
import type { UpstreamRequest } from '../http/upstream-client';
import { errorFromStreamEvent } from '../http/upstream-error';
import type { EmbedCall, ProviderAdapter, ProviderCall, UpstreamTimeouts } from '../provider-adapter';
import { toEmbeddingResponse, toOpenAiEmbeddingsBody } from './openai.embeddings';
import { maxTokensFieldFor, toOpenAiRequest } from './openai.request';
import { toChatChunk, toChatResponse } from './openai.response';

const PROVIDER = 'openai';

const malformed = (what: string) => new PolymuxException(ErrorCode.UpstreamError, `${PROVIDER} answered ${what}`);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * A streamed chunk, checked only for being a JSON object: the mapper reads each field defensively,
 * and a schema parse of every chunk would be a cost on the hot path that buys nothing more.
 */
const parseChunk = (data: string): OpenAiChatChunk => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw malformed('a stream event that is not JSON');
  }
  if (!isObject(parsed)) throw malformed('a stream event that is not an object');
  return parsed as OpenAiChatChunk;
};

/** OpenAI's Chat Completions API and every server compatible with it (vLLM, Ollama, TGI, …). */
export class OpenAiAdapter implements ProviderAdapter {
  readonly provider = PROVIDER;
  private readonly client: UpstreamClient;

  constructor(timeouts: UpstreamTimeouts) {
    this.client = new UpstreamClient(PROVIDER, timeouts);
  }

  async complete(call: ProviderCall): Promise<ChatResponse> {
    const body = await this.client.postJson(this.upstreamRequest(call, false));
    if (!isObject(body) || !Array.isArray(body.choices)) throw malformed('a completion without choices');
    // One parse per call, of the answer's metadata and choices (never a stream's chunks).
    const completion = OpenAiChatCompletion.safeParse(body);
    if (!completion.success) {
      const path = completion.error.issues[0]?.path.map(String).join('.') ?? '';
      throw malformed(`a completion that is not a Chat Completions answer (at ${path || 'the top'})`);
    }
    return toChatResponse(completion.data, call.deployment.upstreamModel);
  }

  async *stream(call: ProviderCall): AsyncGenerator<ChatChunk> {
    let done = false;
    let finished = false;
    for await (const event of this.client.postEvents(this.upstreamRequest(call, true))) {
      if (done) continue;
      if (event.data === '[DONE]') {
        done = true;
        continue;
      }
      if (event.event === 'error') throw errorFromStreamEvent(PROVIDER, event.data);
      const chunk = parseChunk(event.data);
      if (chunk.error) throw errorFromStreamEvent(PROVIDER, event.data);
      const canonical = toChatChunk(chunk, call.deployment.upstreamModel);
      finished ||= canonical.choices.some((choice) => choice.finishReason);
      yield canonical;
    }
    if (!done && !finished) throw malformed('a stream that ended before the answer finished');
  }

  /** `POST {baseUrl}/embeddings`, floats requested (see `OpenAiEmbeddingsBody`). */
  async embed(call: EmbedCall): Promise<EmbeddingResponse> {
    const { deployment, request } = call;
    const headers: Record<string, string> = {
      ...call.headers,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`;
    const body = await this.client.postJson({
      url: `${call.baseUrl.replace(/\/+$/, '')}/embeddings`,
      headers,
      body: JSON.stringify(toOpenAiEmbeddingsBody(request, deployment.upstreamModel)),
      signal: call.signal,
    });
    return toEmbeddingResponse(body, request.input.length, deployment.upstreamModel);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private upstreamRequest(call: ProviderCall, stream: boolean): UpstreamRequest {
    const { deployment, baseUrl } = call;
    const body = toOpenAiRequest(
      { ...call.request, stream },
      { model: deployment.upstreamModel, maxTokensField: maxTokensFieldFor(baseUrl, deployment) },
    );
    const headers: Record<string, string> = {
      ...call.headers,
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    if (call.apiKey) headers.authorization = `Bearer ${call.apiKey}`;
    return {
      url: `${baseUrl.replace(/\/+$/, '')}/chat/completions`,
      headers,
      body: JSON.stringify(body),
      signal: call.signal,
    };
  }
}
