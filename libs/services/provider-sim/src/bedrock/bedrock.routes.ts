import type { AwsCredentials } from '@polymux/wire';
import { BEDROCK_EVENT_STREAM, BedrockConverseRequest, encodeBedrockException } from '@polymux/wire';

import { PromptCache } from '../anthropic/anthropic-tokens';
import { rawBodyOf } from '../raw-body';
import type { SimFormat, SimHandler } from '../sim-route';
import { writeFrames } from '../sse-writer';
import { verifyBedrockAuth } from './bedrock-auth';
import { countConverse } from './bedrock-tokens';
import { describeBedrockIssue, sendBedrockError } from './bedrock-error';
import { converseBody, converseFrames, converseRuleViolation, planConverse } from './converse';

let sequence = 0;
const nextId = (): string => `sim${(sequence += 1).toString(36).padStart(10, '0')}`;

/** The `fail-after` knob's exception: the model's stream failing, as Bedrock reports it mid-stream. */
const midStreamFailure = (echoed?: string): Uint8Array =>
  encodeBedrockException('modelStreamErrorException', echoed ?? 'The model stream failed (simulated).');

const converse =
  (stream: boolean, cache: PromptCache, credentials: readonly AwsCredentials[]): SimHandler =>
  async (request, reply, exchange, scenario) => {
    const refused = await verifyBedrockAuth(
      request.method,
      request.raw.url ?? request.url,
      request.headers,
      rawBodyOf(request),
      credentials,
    );
    if (refused) return sendBedrockError(reply, 403, refused.message, undefined, refused.type);
    const modelId = request.params.model ?? '';
    const parsed = BedrockConverseRequest.safeParse(request.body);
    if (!parsed.success) return sendBedrockError(reply, 400, describeBedrockIssue(parsed.error));
    const violation = converseRuleViolation(modelId, parsed.data);
    if (violation) return sendBedrockError(reply, 400, violation);
    const id = nextId();
    const plan = planConverse(modelId, parsed.data, scenario, cache.usage(countConverse(modelId, parsed.data)), id);
    if (!stream) return reply.header('x-amzn-requestid', id).send(converseBody(plan));
    reply.hijack();
    const echoed = scenario.echo
      ? `Simulated mid-stream failure, you sent: ${JSON.stringify(request.body)}`
      : undefined;
    await writeFrames(
      exchange,
      converseFrames(plan),
      scenario,
      { 'content-type': BEDROCK_EVENT_STREAM, 'x-amzn-requestid': id },
      midStreamFailure(echoed),
    );
    return reply;
  };

/**
 * Amazon Bedrock's Converse API under `/model/{modelId}/converse` and `/converse-stream` (the
 * model id URL-encoded, ARNs included), authenticated by a SigV4 signature with one of
 * `credentials` or a bearer API key, with its own simulated prompt cache.
 */
export const bedrockFormat = (credentials: readonly AwsCredentials[]): SimFormat => {
  const cache = new PromptCache();
  return {
    name: 'bedrock',
    routes: [
      { method: 'POST', url: '/model/:model/converse', handler: converse(false, cache, credentials), rawBody: true },
      {
        method: 'POST',
        url: '/model/:model/converse-stream',
        handler: converse(true, cache, credentials),
        rawBody: true,
      },
    ],
    sendError: (reply, status, message, retryAfterSeconds) =>
      sendBedrockError(reply, status, message, retryAfterSeconds),
    owns: (path) => /^\/model\//.test(path),
  };
};
