import type { ChatChunk, ChatResponse } from '@polymux/contracts';
import { VERTEX_ANTHROPIC_VERSION } from '@polymux/wire';

import type { MessagesRequest } from '../anthropic/anthropic.adapter';
import { completeMessages, messagesHeaders, streamMessages } from '../anthropic/anthropic.adapter';
import type { GenerateContentRequest } from '../gemini/gemini.adapter';
import { completeGenerateContent, streamGenerateContent } from '../gemini/gemini.adapter';
import { UpstreamClient } from '../http/upstream-client';
import type { ProviderAdapter, ProviderCall, UpstreamTimeouts } from '../provider-adapter';
import { ServiceAccountTokens } from './vertex.auth';
import { vertexPublisher } from './vertex.publisher';
import type { VertexSettings } from './vertex.settings';
import { vertexSettings } from './vertex.settings';

const PROVIDER = 'vertex';

/**
 * `{baseUrl}/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}`.
 * The base URL names the API version (`https://us-east5-aiplatform.googleapis.com/v1`); a bare
 * origin gets `/v1`.
 */
export const vertexUrl = (baseUrl: string, settings: VertexSettings, model: string, method: string): string => {
  const base = baseUrl.replace(/\/+$/, '');
  const versioned = /\/v\d+(beta\d*)?$/.test(base) ? base : `${base}/v1`;
  const publisher = vertexPublisher(model);
  return `${versioned}/projects/${settings.project}/locations/${settings.location}/publishers/${publisher}/models/${encodeURIComponent(model)}:${method}`;
};

/**
 * Vertex AI, with a service account's OAuth token: Gemini through `generateContent` (the Gemini
 * adapter's mappers), Claude through `rawPredict` (the Anthropic adapter's, the body without
 * `model` and with `anthropic_version: vertex-2023-10-16`), by the deployment's upstream model.
 */
export class VertexAdapter implements ProviderAdapter {
  readonly provider = PROVIDER;
  /** Gemini on Vertex reads inline data and gs:// URIs only: the executor inlines http(s) media first. */
  readonly fetchesMediaUrls = false;
  private readonly client: UpstreamClient;
  private readonly tokens = new ServiceAccountTokens();

  constructor(timeouts: UpstreamTimeouts) {
    this.client = new UpstreamClient(PROVIDER, timeouts);
  }

  async complete(call: ProviderCall): Promise<ChatResponse> {
    const settings = vertexSettings(call);
    const token = await this.tokens.token(settings.serviceAccount);
    return vertexPublisher(call.deployment.upstreamModel) === 'anthropic'
      ? completeMessages(this.client, call, this.claude(call, settings, token))
      : completeGenerateContent(this.client, PROVIDER, call, this.gemini(call, settings, token));
  }

  async *stream(call: ProviderCall): AsyncGenerator<ChatChunk> {
    const settings = vertexSettings(call);
    const token = await this.tokens.token(settings.serviceAccount);
    yield* vertexPublisher(call.deployment.upstreamModel) === 'anthropic'
      ? streamMessages(this.client, call, this.claude(call, settings, token))
      : streamGenerateContent(this.client, PROVIDER, call, this.gemini(call, settings, token));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private gemini(call: ProviderCall, settings: VertexSettings, token: string): GenerateContentRequest {
    return (body, stream) => ({
      url: vertexUrl(
        call.baseUrl,
        settings,
        call.deployment.upstreamModel,
        stream ? 'streamGenerateContent?alt=sse' : 'generateContent',
      ),
      headers: {
        ...call.headers,
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
      signal: call.signal,
      limits: call.timeouts,
    });
  }

  private claude(call: ProviderCall, settings: VertexSettings, token: string): MessagesRequest {
    return (anthropic, stream) => {
      // The model is in the URL; Vertex refuses it in the body.
      const body: Partial<typeof anthropic.body> = { ...anthropic.body };
      delete body.model;
      return {
        url: vertexUrl(
          call.baseUrl,
          settings,
          call.deployment.upstreamModel,
          stream ? 'streamRawPredict' : 'rawPredict',
        ),
        headers: { ...messagesHeaders(call, stream), authorization: `Bearer ${token}` },
        body: JSON.stringify({ anthropic_version: VERTEX_ANTHROPIC_VERSION, ...body }),
        signal: call.signal,
        limits: call.timeouts,
      };
    };
  }
}
