import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';

import type { SimStats } from './exchange';
import { Exchange } from './exchange';
import type { AwsCredentials } from '@polymux/wire';

import { anthropicFormat } from './anthropic/anthropic.routes';
import { azureFormat } from './azure/azure.routes';
import { geminiFormat } from './gemini/gemini.routes';
import { SIM_AWS_CREDENTIALS } from './bedrock/bedrock-auth';
import { bedrockFormat } from './bedrock/bedrock.routes';
import { openAiFormat, sendError } from './openai/openai.routes';
import { keepRawBodies } from './raw-body';
import { ScenarioError, parseScenario } from './scenario';
import type { SimFormat, SimRequest, SimRoute } from './sim-route';
import { vertexFormat } from './vertex/vertex.routes';

/** Header that chooses the scenario of one request (see `parseScenario`). */
export const SCENARIO_HEADER = 'x-sim-scenario';
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
/** Retry-after a 429 answers when the scenario names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

export interface ProviderSimOptions {
  port: number;
  host?: string;
  /** The AWS credentials whose SigV4 signatures the Bedrock routes accept (default `SIM_AWS_CREDENTIALS`). */
  awsCredentials?: readonly AwsCredentials[];
}

export interface ProviderSim {
  /** Base of the server, without `/v1`: `http://127.0.0.1:<port>`. */
  url: string;
  stats: Readonly<SimStats>;
  close(): Promise<void>;
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(',') : value;

/** A SigV4 authorization differs on every request: it is remembered by its access key, so the set stays small. */
const credentialOf = (authorization: string): string => {
  const key = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(authorization)?.[1];
  return key ? `AWS4-HMAC-SHA256 ${key}` : authorization;
};

/** Where a scenario chosen by the base URL goes: `/scenario/<scenario>` before a format's path. */
const SCENARIO_PREFIX = '/scenario/:scenario';
const withoutScenario = (url: string): string => url.replace(/^\/scenario\/[^/]*/, '');

/** The format whose path `url` is: the first that owns it (OpenAI's owns every path, so it goes last). */
const formatOf = (formats: readonly SimFormat[], url: string): SimFormat =>
  formats.find((format) => format.owns(withoutScenario(url))) ?? formats[formats.length - 1]!;

/** Applies the request's scenario (latency, hang, forced status) before the route answers. */
const simulate =
  (stats: SimStats, format: SimFormat, route: SimRoute) =>
  async (request: SimRequest, reply: FastifyReply): Promise<unknown> => {
    const exchange = new Exchange(reply.raw, stats);
    const authorization = headerValue(request.headers.authorization);
    if (authorization !== undefined) stats.authorizations.add(credentialOf(authorization));
    const apiKey = headerValue(request.headers['x-api-key']);
    if (apiKey !== undefined) stats.authorizations.add(`x-api-key ${apiKey}`);
    const azureKey = headerValue(request.headers['api-key']);
    if (azureKey !== undefined) stats.authorizations.add(`api-key ${azureKey}`);
    const googleKey = headerValue(request.headers['x-goog-api-key']);
    if (googleKey !== undefined) stats.authorizations.add(`x-goog-api-key ${googleKey}`);
    const betas = headerValue(request.headers['anthropic-beta']);
    if (betas !== undefined) stats.betas.add(betas);
    const scenario = parseScenario(request.params.scenario, headerValue(request.headers[SCENARIO_HEADER]));
    if (scenario.hang || !(await exchange.wait(scenario.latencyMs))) return reply.hijack();
    if (scenario.status !== undefined) {
      const retryAfter =
        scenario.retryAfterSeconds ?? (scenario.status === 429 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
      const echoed = scenario.echo ? `Simulated error, you sent: ${JSON.stringify(request.body)}` : undefined;
      return format.sendError(reply, scenario.status, echoed, retryAfter);
    }
    return route.handler(request, reply, exchange, scenario);
  };

const handleError =
  (formats: readonly SimFormat[]) => (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const format = formatOf(formats, request.url);
    if (error instanceof ScenarioError) {
      // OpenAI's shape can name the header at fault.
      if (format.name === 'openai') return sendError(reply, 400, error.message, SCENARIO_HEADER);
      return format.sendError(reply, 400, error.message);
    }
    return format.sendError(reply, status, status === 500 ? undefined : error.message);
  };

/**
 * Starts the provider simulator: every wire format it speaks (OpenAI's, Anthropic's `/v1/messages`,
 * Gemini's `/v1beta/models/...`, Vertex AI's `/v1/projects/...` and its OAuth token endpoint,
 * Bedrock's `/model/{modelId}/converse`)
 * at its own paths and, with a scenario chosen by the base URL, under `/scenario/<scenario>`.
 * Resolves once it listens.
 */
export const startProviderSim = async ({
  port,
  host = '127.0.0.1',
  awsCredentials = [SIM_AWS_CREDENTIALS],
}: ProviderSimOptions): Promise<ProviderSim> => {
  const stats: SimStats = { requests: 0, inFlight: 0, clientAborts: 0, authorizations: new Set(), betas: new Set() };
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  // OpenAI's last: it owns every path no other format claims.
  const formats: SimFormat[] = [
    anthropicFormat(),
    azureFormat(),
    geminiFormat(),
    vertexFormat(),
    bedrockFormat(awsCredentials),
    openAiFormat(),
  ];
  app.setErrorHandler(handleError(formats));
  // The OAuth token endpoints (Google's, Entra ID's) take a form-encoded grant.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.setNotFoundHandler((request, reply) =>
    formatOf(formats, request.url).sendError(
      reply,
      404,
      `Invalid URL (${request.method} ${request.url.split('?')[0]})`,
    ),
  );
  const register = (scope: FastifyInstance, raw: boolean) => {
    for (const prefix of ['', SCENARIO_PREFIX])
      for (const format of formats)
        for (const route of format.routes.filter((candidate) => (candidate.rawBody ?? false) === raw))
          scope.route({ method: route.method, url: `${prefix}${route.url}`, handler: simulate(stats, format, route) });
  };
  register(app, false);
  // Routes that check a signature over the body, in a context of their own that keeps it.
  void app.register((scope, _options, done) => {
    keepRawBodies(scope);
    register(scope, true);
    done();
  });
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `http://${reachable}:${address.port}`, stats, close: () => app.close() };
};
