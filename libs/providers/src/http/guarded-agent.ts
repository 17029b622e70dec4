import { AsyncLocalStorage } from 'node:async_hooks';

import type { UpstreamAddressPolicy } from '@polymux/http';
import { guardedLookup, literalRefusal } from '@polymux/http';
import type * as Undici from 'undici';
import type { Agent, Dispatcher } from 'undici';

/**
 * An undici `Agent` whose every connection is checked by the SSRF guard: a host name is resolved
 * once, every address it resolves to is checked and the socket connects to a checked one (pinned,
 * so DNS rebinding gains nothing); an IP literal is checked as it is. undici's `request` follows no
 * redirects (that takes an interceptor this agent does not have).
 */
export const createGuardedAgent = (
  policy: UpstreamAddressPolicy,
  options: { connectTimeoutMs: number; bodyTimeoutMs: number },
): Agent => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy, synchronous load (see UpstreamClient)
  const { Agent, buildConnector } = require('undici') as typeof Undici;
  const connector = buildConnector({ timeout: options.connectTimeoutMs, lookup: guardedLookup(policy) });
  return new Agent({
    headersTimeout: 0,
    bodyTimeout: options.bodyTimeoutMs,
    connect: (connectOptions, callback) => {
      const refused = literalRefusal(connectOptions.hostname, policy);
      if (refused) callback(refused, null);
      else connector(connectOptions, callback);
    },
  });
};

/**
 * The dispatcher the current upstream call must use instead of its adapter's own pool: set by the
 * executor around a call to an admin-configured deployment, read by `UpstreamClient`, so that no
 * adapter has to know which deployments are guarded.
 */
export const guardedDispatcher = new AsyncLocalStorage<Dispatcher>();
