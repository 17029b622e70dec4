import { randomBytes } from 'node:crypto';

import { chatCompletionsHandler, embeddingsHandler, sendError } from '../openai/openai.routes';
import type { SimFormat, SimHandler, SimRequest } from '../sim-route';

/** Seconds an Entra ID token of the simulator lives. */
const TOKEN_SECONDS = 3_599;

const header = (request: SimRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Azure's checks before a deployment answers: an `api-version` query parameter (400 without), and
 * an `api-key` header or a bearer token (401 without, in Azure's words).
 */
const guarded =
  (handler: SimHandler): SimHandler =>
  (request, reply, exchange, scenario) => {
    if (!request.query['api-version']) {
      return sendError(reply, 400, 'Missing required query parameter: api-version (simulated)', 'api-version');
    }
    const bearer = /^Bearer \S+$/.test(header(request, 'authorization') ?? '');
    if (!header(request, 'api-key') && !bearer) {
      return sendError(
        reply,
        401,
        'Access denied due to missing subscription key or token. (simulated)',
        null,
        undefined,
        '401',
      );
    }
    return handler(request, reply, exchange, scenario);
  };

const azure = { modelOf: (request: SimRequest) => request.params.deployment, filterResults: true };

/**
 * The OAuth 2.0 client-credentials grant of Entra ID (`POST /{tenant}/oauth2/v2.0/token`): any client
 * id and secret get a fresh token, as a form-encoded request must ask for one.
 */
const token: SimHandler = (request, reply) => {
  const form = new URLSearchParams((request.body ?? {}) as Record<string, string>);
  if (form.get('grant_type') !== 'client_credentials' || !form.get('client_id') || !form.get('client_secret')) {
    return reply.code(400).send({ error: 'invalid_request', error_description: 'AADSTS900144 (simulated)' });
  }
  return reply.send({
    token_type: 'Bearer',
    expires_in: TOKEN_SECONDS,
    ext_expires_in: TOKEN_SECONDS,
    access_token: `sim-entra-${request.params.tenant ?? ''}-${randomBytes(8).toString('hex')}`,
  });
};

/**
 * What MSAL reads before it asks for a token: the tenant's OpenID configuration, pointing back here
 * (at the https origin a TLS-terminating proxy names in `x-forwarded-proto`/`-host`, MSAL taking
 * https authorities only).
 */
const openIdConfiguration: SimHandler = (request, reply) => {
  const protocol = header(request, 'x-forwarded-proto') ?? request.protocol;
  const host = header(request, 'x-forwarded-host') ?? request.headers.host ?? '';
  const base = `${protocol}://${host}/${request.params.tenant ?? ''}`;
  return reply.send({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    issuer: `${base}/v2.0`,
    response_types_supported: ['code'],
  });
};

/**
 * Azure OpenAI under `/openai/deployments/:deployment/…` (Chat Completions and Embeddings in
 * OpenAI's shape with Azure's filter annotations) and Entra ID's token endpoint. Errors in OpenAI's
 * shape, as Azure's OpenAI errors are.
 */
export const azureFormat = (): SimFormat => ({
  name: 'azure',
  routes: [
    {
      method: 'POST',
      url: '/openai/deployments/:deployment/chat/completions',
      handler: guarded(chatCompletionsHandler(azure)),
    },
    { method: 'POST', url: '/openai/deployments/:deployment/embeddings', handler: guarded(embeddingsHandler(azure)) },
    { method: 'POST', url: '/:tenant/oauth2/v2.0/token', handler: token },
    { method: 'GET', url: '/:tenant/v2.0/.well-known/openid-configuration', handler: openIdConfiguration },
  ],
  sendError: (reply, status, message, retryAfterSeconds) => sendError(reply, status, message, null, retryAfterSeconds),
  owns: (path) => /^\/openai\/deployments\//.test(path) || /^\/[^/]+\/(oauth2|v2\.0)\//.test(path),
});
