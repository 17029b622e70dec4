import http from 'node:http';
import https from 'node:https';

import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { UpstreamAddressPolicy } from '@polymux/http';
import {
  UpstreamAddressRefused,
  checkUpstreamUrl,
  guardedLookup,
  literalRefusal,
  upstreamAddressPolicy,
} from '@polymux/http';

/** What one POST came to: done, worth another attempt (network error, timeout, 408, 429, 5xx), or never. */
export type AttemptOutcome =
  { kind: 'delivered'; statusCode: number } | { kind: 'retry' | 'rejected'; statusCode: number | null; error: string };

const LOOPBACK_CIDRS = ['127.0.0.0/8', '::1/128'];

const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** A receiver's answer, by its status alone (its body is never read). */
export const outcomeOf = (statusCode: number): AttemptOutcome => {
  if (statusCode >= 200 && statusCode < 300) return { kind: 'delivered', statusCode };
  const error = `HTTP ${statusCode}`;
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) return { kind: 'retry', statusCode, error };
  if (statusCode >= 300 && statusCode < 400)
    return { kind: 'rejected', statusCode, error: `${error}: redirects are not followed` };
  return { kind: 'rejected', statusCode, error };
};

/** A failed connection as the delivery log keeps it: an error code or class, never a message. */
const describe = (error: unknown): string => {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
};

/**
 * POSTs webhooks through the SSRF guard of admin-configured upstreams: https to public addresses
 * (every address a host resolves to is checked at connect time, so DNS rebinding gains nothing),
 * plain http to loopback only with POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP. Redirects are never
 * followed; each POST is bounded by POLYMUX_WEBHOOK_TIMEOUT_MS.
 */
@Injectable()
export class WebhookSender {
  private readonly policy: UpstreamAddressPolicy;

  constructor(@Inject(CONFIG) private readonly config: PolymuxConfig) {
    this.policy = upstreamAddressPolicy(config.webhooks.allowLoopbackHttp ? LOOPBACK_CIDRS : []);
  }

  /** Validates an admin-given endpoint URL; answers it normalised. */
  async checkUrl(value: string, param = 'url'): Promise<string> {
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (parsed?.protocol === 'http:' && !(this.config.webhooks.allowLoopbackHttp && isLoopbackHost(parsed.hostname)))
      throw new PolymuxException(ErrorCode.InvalidRequest, `${param} must be an https URL`, { param });
    return (await checkUpstreamUrl(value, this.policy, param)).toString();
  }

  post(target: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome> {
    const url = new URL(target);
    if (literalRefusal(url.hostname, this.policy))
      return Promise.resolve({ kind: 'rejected', statusCode: null, error: 'refused by the SSRF guard' });
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const request = client.request(
        url,
        {
          method: 'POST',
          agent: false,
          lookup: guardedLookup(this.policy) as unknown as http.RequestOptions['lookup'],
          signal: AbortSignal.timeout(this.config.webhooks.timeoutMs),
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'Polymux-Webhooks/1',
          },
        },
        (response) => {
          // The answer's body is never read, only drained.
          response.resume();
          resolve(outcomeOf(response.statusCode ?? 0));
        },
      );
      request.on('error', (error) =>
        resolve(
          error instanceof UpstreamAddressRefused
            ? { kind: 'rejected', statusCode: null, error: 'refused by the SSRF guard' }
            : { kind: 'retry', statusCode: null, error: describe(error) },
        ),
      );
      request.end(body);
    });
  }
}
