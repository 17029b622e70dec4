import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';

import type { SimStats } from './exchange';
import { Exchange } from './exchange';
import { sendAnthropicError } from './anthropic/anthropic-error';
import { anthropicRoutes } from './anthropic/anthropic.routes';
import { openAiRoutes, sendError } from './openai/openai.routes';
import { ScenarioError, parseScenario } from './scenario';
import type { SimErrorSender, SimRequest, SimRoute } from './sim-route';

/** Header that chooses the scenario of one request (see `parseScenario`). */
export const SCENARIO_HEADER = 'x-sim-scenario';
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
/** Retry-after a 429 answers when the scenario names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

export interface ProviderSimOptions {
  port: number;
  host?: string;
}

export interface ProviderSim {
  /** Base of the server, without `/v1`: `http://127.0.0.1:<port>`. */
  url: string;
  stats: Readonly<SimStats>;
  close(): Promise<void>;
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(',') : value;

/** Applies the request's scenario (latency, hang, forced status) before the route answers. */
const openAiErrors: SimErrorSender = (reply, status, message, retryAfterSeconds) =>
  sendError(reply, status, message, null, retryAfterSeconds);

/** Anthropic's paths answer errors in Anthropic's shape, every other path in OpenAI's. */
const isAnthropicPath = (url: string): boolean => /\/v1\/messages(\/|\?|$)/.test(url);

const simulate =
  (stats: SimStats, route: SimRoute) =>
  async (request: SimRequest, reply: FastifyReply): Promise<unknown> => {
    const exchange = new Exchange(reply.raw, stats);
    const authorization = headerValue(request.headers.authorization);
    if (authorization !== undefined) stats.authorizations.add(authorization);
    const apiKey = headerValue(request.headers['x-api-key']);
    if (apiKey !== undefined) stats.authorizations.add(`x-api-key ${apiKey}`);
    const betas = headerValue(request.headers['anthropic-beta']);
    if (betas !== undefined) stats.betas.add(betas);
    const scenario = parseScenario(request.params.scenario, headerValue(request.headers[SCENARIO_HEADER]));
    if (scenario.hang || !(await exchange.wait(scenario.latencyMs))) return reply.hijack();
    if (scenario.status !== undefined) {
      const retryAfter =
        scenario.retryAfterSeconds ?? (scenario.status === 429 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
      const echoed = scenario.echo ? `Simulated error, you sent: ${JSON.stringify(request.body)}` : undefined;
      return (route.sendError ?? openAiErrors)(reply, scenario.status, echoed, retryAfter);
    }
    return route.handler(request, reply, exchange, scenario);
  };

const handleError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (isAnthropicPath(request.url)) {
    return sendAnthropicError(
      reply,
      error instanceof ScenarioError ? 400 : status,
      status === 500 ? undefined : error.message,
    );
  }
  if (error instanceof ScenarioError) return sendError(reply, 400, error.message, SCENARIO_HEADER);
  return sendError(reply, status, status === 500 ? undefined : error.message);
};

/**
 * Starts the provider simulator: OpenAI's and Anthropic's (`/v1/messages`) wire formats under `/v1` and, with a scenario chosen by
 * the base URL, under `/scenario/<scenario>/v1`. Resolves once it listens.
 */
export const startProviderSim = async ({ port, host = '127.0.0.1' }: ProviderSimOptions): Promise<ProviderSim> => {
  const stats: SimStats = { requests: 0, inFlight: 0, clientAborts: 0, authorizations: new Set(), betas: new Set() };
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const message = `Invalid URL (${request.method} ${request.url.split('?')[0]})`;
    return isAnthropicPath(request.url) ? sendAnthropicError(reply, 404, message) : sendError(reply, 404, message);
  });
  const routes: SimRoute[] = [...openAiRoutes, ...anthropicRoutes()];
  for (const prefix of ['/v1', '/scenario/:scenario/v1']) {
    for (const route of routes) {
      app.route({ method: route.method, url: `${prefix}${route.url}`, handler: simulate(stats, route) });
    }
  }
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `http://${reachable}:${address.port}`, stats, close: () => app.close() };
};
