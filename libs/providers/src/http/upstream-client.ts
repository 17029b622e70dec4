import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { EventSourceMessage } from 'eventsource-parser';
import type * as Undici from 'undici';
import type { Agent, Dispatcher } from 'undici';

import type { UpstreamTimeouts } from '../provider-adapter';
import { guardedDispatcher } from './guarded-agent';
import { sseEvents } from './sse';
import { errorFromStatus, errorFromTransport } from './upstream-error';

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
  /** The deployment's own time limits, each in place of the executor's (`ProviderCall.timeouts`). */
  limits?: Partial<UpstreamTimeouts>;
}

/** Why a stream the consumer stopped reading is aborted; never reaches anyone. */
const ABANDONED = new Error('upstream stream abandoned by its consumer');

/** One call's cancellation: the caller's signal plus time limits, released by `end()`. */
class CallScope {
  private readonly controller = new AbortController();
  private readonly cancelTotal: () => void;
  private readonly onCallerAbort = () => this.controller.abort(this.caller.reason);

  constructor(
    private readonly caller: AbortSignal,
    private readonly provider: string,
    totalTimeoutMs: number,
  ) {
    this.cancelTotal = this.limit(totalTimeoutMs, `did not finish within ${totalTimeoutMs} ms`);
    if (caller.aborted) this.onCallerAbort();
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** Aborts the call with an UpstreamTimeout unless the returned function runs within `ms`. */
  limit(ms: number, what: string): () => void {
    const timer = setTimeout(
      () => this.controller.abort(new PolymuxException(ErrorCode.UpstreamTimeout, `${this.provider} ${what}`)),
      ms,
    );
    return () => clearTimeout(timer);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** What to throw for `error`: the abort reason once aborted (timeout or the caller's), else a mapped failure. */
  failure(error: unknown): unknown {
    return this.controller.signal.aborted ? this.controller.signal.reason : errorFromTransport(this.provider, error);
  }

  abandon(): void {
    if (!this.controller.signal.aborted) this.controller.abort(ABANDONED);
  }

  end(): void {
    this.cancelTotal();
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }
}

/**
 * POSTs JSON to one provider family's servers through one undici `Agent` (a keep-alive pool per
 * origin, reused by every call) with the configured connect, first-byte and total time limits.
 * A streamed answer must start within the first-byte limit; a non-streaming one sends its headers
 * only once the whole completion is generated, so only the total limit bounds it.
 */
export class UpstreamClient {
  private readonly agent: Agent;
  /** Pools for deployments with a connect limit of their own, by that limit (a connect timeout is a pool's). */
  private readonly agentsByConnectLimit = new Map<number, Agent>();

  constructor(
    private readonly provider: string,
    private readonly timeouts: UpstreamTimeouts,
  ) {
    // Loaded by the first client (the executor's), not by importing the providers lib: ingress
    // imports it for the passthrough table only and never loads undici.
    this.agent = this.newAgent(timeouts.connectTimeoutMs);
  }

  private newAgent(connectTimeoutMs: number): Agent {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy, synchronous load
    const { Agent } = require('undici') as typeof Undici;
    // undici's own header and body timers tick once a second; the header limit is timed here to
    // the millisecond instead, the gap between body chunks is left to undici (per request).
    return new Agent({
      connect: { timeout: connectTimeoutMs },
      headersTimeout: 0,
      bodyTimeout: this.timeouts.firstByteTimeoutMs,
    });
  }

  /** The executor's limits with the deployment's own in their place. */
  private limitsOf(request: UpstreamRequest): UpstreamTimeouts {
    return request.limits ? { ...this.timeouts, ...request.limits } : this.timeouts;
  }

  private agentFor(connectTimeoutMs: number): Agent {
    if (connectTimeoutMs === this.timeouts.connectTimeoutMs) return this.agent;
    let agent = this.agentsByConnectLimit.get(connectTimeoutMs);
    if (!agent) {
      agent = this.newAgent(connectTimeoutMs);
      this.agentsByConnectLimit.set(connectTimeoutMs, agent);
    }
    return agent;
  }

  /** The parsed JSON body of a successful answer. */
  async postJson(request: UpstreamRequest): Promise<unknown> {
    const scope = new CallScope(request.signal, this.provider, this.limitsOf(request).totalTimeoutMs);
    try {
      const response = await this.send(request, scope);
      const text = await response.body.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new PolymuxException(ErrorCode.UpstreamError, `${this.provider} answered a body that is not JSON`);
      }
    } catch (error) {
      throw scope.failure(error);
    } finally {
      scope.end();
    }
  }

  /** The server-sent events of a successful answer; stopping early aborts the upstream request. */
  postEvents(request: UpstreamRequest): AsyncGenerator<EventSourceMessage> {
    return this.postStreamed(request, sseEvents);
  }

  /** The raw body chunks of a successful streamed answer (a binary framing); stopping early aborts the upstream request. */
  postBytes(request: UpstreamRequest): AsyncGenerator<Uint8Array> {
    return this.postStreamed(request, (body) => body);
  }

  /** A streamed answer read by `read`, its failures mapped like the request's; it must start within the first-byte limit. */
  private async *postStreamed<T>(
    request: UpstreamRequest,
    read: (body: AsyncIterable<Uint8Array>) => AsyncIterable<T>,
  ): AsyncGenerator<T> {
    const limits = this.limitsOf(request);
    const scope = new CallScope(request.signal, this.provider, limits.totalTimeoutMs);
    let complete = false;
    try {
      const response = await this.send(request, scope, limits.firstByteTimeoutMs);
      yield* read(response.body);
      complete = true;
    } catch (error) {
      throw scope.failure(error);
    } finally {
      if (!complete) scope.abandon();
      scope.end();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.agent, ...this.agentsByConnectLimit.values()].map((agent) => agent.close()));
  }

  /** Sends the request; the answer's headers must arrive within `headersTimeoutMs` when given. */
  private async send(
    request: UpstreamRequest,
    scope: CallScope,
    headersTimeoutMs?: number,
  ): Promise<Dispatcher.ResponseData> {
    const url = new URL(request.url);
    const limits = this.limitsOf(request);
    const cancelHeadersLimit =
      headersTimeoutMs === undefined
        ? () => undefined
        : scope.limit(headersTimeoutMs, 'timed out waiting for response headers');
    let response: Dispatcher.ResponseData;
    try {
      // An admin-configured deployment's call goes through the executor's SSRF-guarded agent instead.
      response = await (guardedDispatcher.getStore() ?? this.agentFor(limits.connectTimeoutMs)).request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: scope.signal,
        ...(request.limits?.firstByteTimeoutMs === undefined ? {} : { bodyTimeout: limits.firstByteTimeoutMs }),
      });
    } finally {
      cancelHeadersLimit();
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    const body = await response.body.text();
    throw errorFromStatus(this.provider, response.statusCode, response.headers, body);
  }
}
