import type { ChatChunk, ChatResponse } from '@polymux/contracts';
import { randomUUID } from 'node:crypto';
import type { BedrockConverseResponse } from '@polymux/wire';
import { BEDROCK_EVENT_STREAM, BedrockFrameError, bedrockConversePath, bedrockFrames } from '@polymux/wire';

import { UpstreamClient } from '../http/upstream-client';
import type { UpstreamRequest } from '../http/upstream-client';
import type { ProviderAdapter, ProviderCall, UpstreamTimeouts } from '../provider-adapter';
import { authenticate, bedrockAuth } from './bedrock.auth';
import type { BedrockCall } from './bedrock.request';
import { toBedrockRequest } from './bedrock.request';
import { toChatResponse } from './bedrock.response';
import { BedrockStreamDecoder, malformed } from './bedrock.stream';

const PROVIDER = 'bedrock';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** An answer's id: Converse names none (its `x-amzn-requestid` header is a request's, not an answer's). */
const answerId = (): string => `bedrock-${randomUUID()}`;

/** A model's Converse endpoint under the deployment's base URL (`https://bedrock-runtime.<region>.amazonaws.com`). */
export const converseUrl = (baseUrl: string, modelId: string, stream: boolean): URL =>
  new URL(`${baseUrl.replace(/\/+$/, '')}${bedrockConversePath(modelId, stream)}`);

const isConverseResponse = (body: unknown): body is BedrockConverseResponse =>
  isObject(body) &&
  isObject(body.output) &&
  isObject(body.output.message) &&
  Array.isArray(body.output.message.content) &&
  typeof body.stopReason === 'string';

/**
 * Amazon Bedrock's Converse API: one wire format for every model family Bedrock serves (Claude,
 * Nova, Llama, Mistral, …), answers streamed as `application/vnd.amazon.eventstream`. Bedrock
 * fetches no media URL, so the executor inlines them before the call.
 */
export class BedrockAdapter implements ProviderAdapter {
  readonly provider = PROVIDER;
  readonly fetchesMediaUrls = false;
  private readonly client: UpstreamClient;

  constructor(timeouts: UpstreamTimeouts) {
    this.client = new UpstreamClient(PROVIDER, timeouts);
  }

  async complete(call: ProviderCall): Promise<ChatResponse> {
    const bedrock = this.toBedrock(call);
    const body = await this.client.postJson(await this.upstreamRequest(call, bedrock, false));
    if (!isConverseResponse(body)) throw malformed('a Converse answer without output or stopReason');
    return toChatResponse(body, bedrock, call.deployment.upstreamModel, answerId());
  }

  async *stream(call: ProviderCall): AsyncGenerator<ChatChunk> {
    const bedrock = this.toBedrock(call);
    const decoder = new BedrockStreamDecoder(bedrock, call.deployment.upstreamModel, answerId());
    const request = await this.upstreamRequest(call, bedrock, true);
    try {
      for await (const frame of bedrockFrames(this.client.postBytes(request))) {
        if (decoder.stopped) continue;
        const chunk = decoder.decode(frame);
        if (chunk) yield chunk;
      }
    } catch (error) {
      if (error instanceof BedrockFrameError) throw malformed(error.message);
      throw error;
    }
    const last = decoder.end();
    if (last) yield last;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private toBedrock(call: ProviderCall): BedrockCall {
    return toBedrockRequest(call.request, {
      model: call.deployment.upstreamModel,
      defaultMaxTokens: call.deployment.maxOutputTokens,
    });
  }

  private async upstreamRequest(call: ProviderCall, bedrock: BedrockCall, stream: boolean): Promise<UpstreamRequest> {
    // Before anything is sent: a deployment without usable credentials is unavailable.
    const auth = bedrockAuth(call);
    const url = converseUrl(call.baseUrl, call.deployment.upstreamModel, stream);
    const body = JSON.stringify(bedrock.body);
    const headers = await authenticate(
      auth,
      url,
      {
        ...call.headers,
        'content-type': 'application/json',
        accept: stream ? BEDROCK_EVENT_STREAM : 'application/json',
      },
      body,
    );
    return { url: url.toString(), headers, body, signal: call.signal, limits: call.timeouts };
  }
}
