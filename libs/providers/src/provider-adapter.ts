import type {
  ChatChunk,
  ChatRequest,
  ChatResponse,
  Deployment,
  EmbeddingRequest,
  EmbeddingResponse,
} from '@polymux/contracts';

/**
 * One upstream call: the deployment, where to send it, the canonical request, the credential and
 * cancellation. `baseUrl`, `apiKey` and `headers` come from the executor's catalog, never from a message.
 */
export interface ProviderCall {
  deployment: Deployment;
  baseUrl: string;
  request: ChatRequest;
  apiKey?: string;
  /** The deployment's extra request headers; the adapter's own content and auth headers take precedence. */
  headers?: Readonly<Record<string, string>>;
  /** The deployment's region, when its provider has regions (Bedrock, Vertex). */
  region?: string;
  /**
   * The deployment's adapter-specific settings (catalog `settings`, secrets resolved): each adapter
   * parses the ones it knows and refuses the call with a clear error when one it needs is missing.
   */
  settings?: Readonly<Record<string, string | number | boolean>>;
  /** The deployment's own time limits (catalog `timeouts`), each in place of the executor's. */
  timeouts?: Partial<UpstreamTimeouts>;
  /** Aborting it aborts the upstream HTTP request. */
  signal: AbortSignal;
}

/** One upstream embeddings call: a `ProviderCall` carrying an embeddings request instead of a chat one. */
export interface EmbedCall extends Omit<ProviderCall, 'request'> {
  request: EmbeddingRequest;
}

/**
 * Speaks one provider family's wire format. Failures are `PolymuxException`s with an upstream
 * `ErrorCode`; a call aborted through `signal` rejects with the signal's reason.
 */
export interface ProviderAdapter {
  /** Matches `Deployment.provider`. */
  readonly provider: string;
  /**
   * Whether the provider fetches http(s) image and document URLs itself (default true). When false
   * the executor fetches them first, through the SSRF guard, and the adapter only ever sees inline data.
   */
  readonly fetchesMediaUrls?: boolean;
  complete(call: ProviderCall): Promise<ChatResponse>;
  /** Chunks as they arrive; the last one carries `usage` when the provider reported it. */
  stream(call: ProviderCall): AsyncIterable<ChatChunk>;
  /** Embeds the inputs; absent for a provider family without an embeddings API. */
  embed?(call: EmbedCall): Promise<EmbeddingResponse>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

/** Injection token of the `ProviderAdapter[]` every provider folder contributes to. */
export const PROVIDER_ADAPTERS = Symbol('polymux.provider-adapters');

/** Upstream HTTP time limits, from `PolymuxConfig.upstream`. */
export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  /** Longest wait for a streamed answer's headers, and between two body chunks. */
  firstByteTimeoutMs: number;
  /** Longest a whole call may take, body included; the only limit on a non-streaming answer's headers. */
  totalTimeoutMs: number;
}
