import { VERTEX_ANTHROPIC_VERSION } from '@polymux/wire';

import { anthropicMessagesHandler } from '../anthropic/anthropic.routes';
import { PromptCache } from '../anthropic/anthropic-tokens';
import { sendAnthropicError } from '../anthropic/anthropic-error';
import { modelMethod, targetOf } from '../gemini/gemini.routes';
import { sendGoogleError } from '../gemini/google-error';
import type { SimFormat, SimHandler } from '../sim-route';
import { SimTokens } from './oauth';

const PUBLISHER = '/v1/projects/:project/locations/:location/publishers';

/**
 * Claude on Vertex AI: `:rawPredict` and `:streamRawPredict` take Anthropic's Messages body without
 * `model` (it is in the URL) and with `anthropic_version: vertex-2023-10-16`, and answer as Anthropic.
 */
const rawPredict =
  (messages: SimHandler): SimHandler =>
  (request, reply, exchange, scenario) => {
    const { model, method } = targetOf(request);
    if (method !== 'rawPredict' && method !== 'streamRawPredict')
      return sendGoogleError(reply, 404, `Method ${method || '(none)'} is not found for this model.`);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.anthropic_version !== VERTEX_ANTHROPIC_VERSION)
      return sendAnthropicError(reply, 400, `anthropic_version: must be ${VERTEX_ANTHROPIC_VERSION}`);
    if ('model' in body) return sendAnthropicError(reply, 400, 'model: Extra inputs are not permitted');
    const messagesBody: Record<string, unknown> = { ...body, model };
    delete messagesBody.anthropic_version;
    request.body = messagesBody;
    return messages(request, reply, exchange, scenario);
  };

/**
 * Vertex AI: Gemini under `publishers/google`, Claude under `publishers/anthropic`, both behind an
 * OAuth access token from the simulated token endpoint (`/oauth2/token`), which Vertex requires
 * (401 UNAUTHENTICATED without one). Errors are Google's; Claude's own refusals are Anthropic's.
 */
export const vertexFormat = (): SimFormat => {
  const tokens = new SimTokens();
  const authorized =
    (handler: SimHandler): SimHandler =>
    (request, reply, exchange, scenario) =>
      tokens.authorized(request)
        ? handler(request, reply, exchange, scenario)
        : sendGoogleError(
            reply,
            401,
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          );
  return {
    name: 'vertex',
    routes: [
      { method: 'POST', url: '/oauth2/token', handler: tokens.grant },
      { method: 'POST', url: `${PUBLISHER}/google/models/:target`, handler: authorized(modelMethod) },
      {
        method: 'POST',
        url: `${PUBLISHER}/anthropic/models/:target`,
        handler: authorized(rawPredict(anthropicMessagesHandler(new PromptCache()))),
      },
    ],
    sendError: sendGoogleError,
    owns: (path) => path.startsWith('/v1/projects/') || path.startsWith('/oauth2/'),
  };
};
