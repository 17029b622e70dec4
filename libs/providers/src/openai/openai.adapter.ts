import type { ChatChunk, ChatResponse, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { OpenAiChatChunk } from '@polymux/wire';
import { OpenAiChatCompletion } from '@polymux/wire';

import { UpstreamClient } from '../http/upstream-client';
import type { UpstreamRequest } from '../http/upstream-client';
import { errorFromStreamEvent } from '../http/upstream-error';
import type { EmbedCall, ProviderAdapter, ProviderCall, UpstreamTimeouts } from '../provider-adapter';
import { ToolNames } from '../tool-names';
import type { OpenAiDialect, OpenAiPath } from './openai.dialect';
import { OPENAI_DIALECT, bearerTarget } from './openai.dialect';
import { toEmbeddingResponse, toOpenAiEmbeddingsBody } from './openai.embeddings';
import { maxTokensFieldFor, toOpenAiRequest } from './openai.request';
import { toChatChunk, toChatResponse } from './openai.response';

const malformedBy = (provider: string) => (what: string) =>
  new PolymuxException(ErrorCode.UpstreamError, `${provider} answered ${what}`);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * A streamed chunk, checked only for being a JSON object: the mapper reads each field defensively,
 * and a schema parse of every chunk would be a cost on the hot path that buys nothing more.
 */
const parseChunk = (data: string, malformed: (what: string) => PolymuxException): OpenAiChatChunk => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw malformed('a stream event that is not JSON');
  }
  if (!isObject(parsed)) throw malformed('a stream event that is not an object');
  return parsed as OpenAiChatChunk;
};

/**
 * OpenAI's Chat Completions API and every server compatible with it (Azure, the presets, vLLM,
 * Ollama, TGI, …): one adapter per dialect (`OpenAiDialect`), each with its own connection pool.
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly provider: string;
  private readonly client: UpstreamClient;
  private readonly malformed: (what: string) => PolymuxException;

  constructor(
    timeouts: UpstreamTimeouts,
    private readonly dialect: OpenAiDialect = OPENAI_DIALECT,
  ) {
    this.provider = dialect.provider;
    this.client = new UpstreamClient(dialect.provider, timeouts);
    this.malformed = malformedBy(dialect.provider);
  }

  async complete(call: ProviderCall): Promise<ChatResponse> {
    const names = new ToolNames(this.dialect.toolNames);
    const body = await this.client.postJson(await this.upstreamRequest(call, names, false));
    if (!isObject(body) || !Array.isArray(body.choices)) throw this.malformed('a completion without choices');
    // One parse per call, of the answer's metadata and choices (never a stream's chunks).
    const completion = OpenAiChatCompletion.safeParse(body);
    if (!completion.success) {
      const path = completion.error.issues[0]?.path.map(String).join('.') ?? '';
      throw this.malformed(`a completion that is not a Chat Completions answer (at ${path || 'the top'})`);
    }
    return toChatResponse(completion.data, call.deployment.upstreamModel, names);
  }

  async *stream(call: ProviderCall): AsyncGenerator<ChatChunk> {
    const names = new ToolNames(this.dialect.toolNames);
    let done = false;
    let finished = false;
    for await (const event of this.client.postEvents(await this.upstreamRequest(call, names, true))) {
      if (done) continue;
      if (event.data === '[DONE]') {
        done = true;
        continue;
      }
      if (event.event === 'error') throw errorFromStreamEvent(this.provider, event.data);
      const chunk = parseChunk(event.data, this.malformed);
      if (chunk.error) throw errorFromStreamEvent(this.provider, event.data);
      const canonical = toChatChunk(chunk, call.deployment.upstreamModel, names);
      // A chunk with neither choices nor usage says nothing (Azure's leading prompt-filter results).
      if (canonical.choices.length === 0 && !canonical.usage) continue;
      finished ||= canonical.choices.some((choice) => choice.finishReason);
      yield canonical;
    }
    if (!done && !finished) throw this.malformed('a stream that ended before the answer finished');
  }

  /**
   * `POST {baseUrl}/embeddings`, floats requested (see `OpenAiEmbeddingsBody`); refused without a
   * call for a dialect whose server has no embeddings API (so the router's fallback takes over).
   */
  async embed(call: EmbedCall): Promise<EmbeddingResponse> {
    const { deployment, request } = call;
    if (!this.dialect.embeddings) {
      throw new PolymuxException(ErrorCode.ServiceUnavailable, `${this.provider} has no embeddings API`);
    }
    const target = await this.target(call, 'embeddings');
    const body = await this.client.postJson({
      url: target.url,
      headers: { ...call.headers, ...target.headers, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(toOpenAiEmbeddingsBody(request, deployment.upstreamModel)),
      signal: call.signal,
      limits: call.timeouts,
    });
    return toEmbeddingResponse(body, request.input.length, deployment.upstreamModel);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private target(call: ProviderCall | EmbedCall, path: OpenAiPath) {
    return this.dialect.target ? this.dialect.target(call, path) : bearerTarget(call, path);
  }

  private async upstreamRequest(call: ProviderCall, names: ToolNames, stream: boolean): Promise<UpstreamRequest> {
    const { deployment, baseUrl } = call;
    const { dialect } = this;
    const request = { ...call.request, stream };
    const mapped = toOpenAiRequest(request, {
      model: deployment.upstreamModel,
      maxTokensField: deployment.maxTokensField ?? dialect.maxTokensField ?? maxTokensFieldFor(baseUrl),
      names,
      replayReasoning: dialect.replayReasoning,
      provider: dialect.provider,
    });
    const body = dialect.body ? dialect.body(mapped, request) : mapped;
    const target = await this.target(call, 'chat/completions');
    return {
      url: target.url,
      headers: {
        ...call.headers,
        ...dialect.headers?.(call.settings ?? {}),
        ...target.headers,
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(body),
      signal: call.signal,
      limits: call.timeouts,
    };
  }
}
