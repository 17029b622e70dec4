import { AnthropicCountTokensRequest, AnthropicMessagesRequest } from '@polymux/wire';

import type { SimFormat, SimHandler } from '../sim-route';
import { writeEventStream } from '../sse-writer';
import { PromptCache, countPrompt } from './anthropic-tokens';
import { anthropicError, sendAnthropicError } from './anthropic-error';
import { anthropicRuleViolation, describeAnthropicIssue } from './anthropic.validate';
import { messageBody, messageEvents, planMessage } from './message';

let sequence = 0;
const nextId = (): string => `sim${(sequence += 1).toString(36).padStart(10, '0')}`;

/**
 * The mid-stream failure of the `fail-after` knob: Anthropic's `error` event, with the
 * `overloaded_error` it sends mid-stream in practice.
 */
const midStreamFailure = (echoed?: string) => ({
  event: 'error',
  data: JSON.stringify(anthropicError(529, echoed ?? 'Overloaded (simulated mid-stream).')),
});

/** `POST /v1/messages` with its own prompt cache (Claude on Vertex AI reuses it under its own paths). */
export const anthropicMessagesHandler =
  (cache: PromptCache): SimHandler =>
  async (request, reply, exchange, scenario) => {
    const parsed = AnthropicMessagesRequest.safeParse(request.body);
    if (!parsed.success) return sendAnthropicError(reply, 400, describeAnthropicIssue(parsed.error));
    const violation = anthropicRuleViolation(parsed.data);
    if (violation) return sendAnthropicError(reply, 400, violation);
    const id = nextId();
    const plan = planMessage(parsed.data, scenario, cache.usage(countPrompt(parsed.data)), id);
    reply.header('request-id', `req_${id}`);
    if (!parsed.data.stream) return reply.send(messageBody(plan));
    reply.hijack();
    const echoed = scenario.echo
      ? `Simulated mid-stream failure, you sent: ${JSON.stringify(request.body)}`
      : undefined;
    await writeEventStream(
      exchange,
      messageEvents(plan),
      scenario,
      { 'request-id': `req_${id}` },
      midStreamFailure(echoed),
    );
    return reply;
  };

const countTokens: SimHandler = (request, reply) => {
  const parsed = AnthropicCountTokensRequest.safeParse(request.body);
  if (!parsed.success) return sendAnthropicError(reply, 400, describeAnthropicIssue(parsed.error));
  return reply.send({ input_tokens: countPrompt(parsed.data).tokens });
};

/**
 * Anthropic's Messages API under `/v1/messages`, with its own simulated prompt cache (one per
 * simulator, see `PromptCache`).
 */
export const anthropicFormat = (): SimFormat => {
  const cache = new PromptCache();
  return {
    name: 'anthropic',
    routes: [
      { method: 'POST', url: '/v1/messages', handler: anthropicMessagesHandler(cache) },
      { method: 'POST', url: '/v1/messages/count_tokens', handler: countTokens },
    ],
    sendError: sendAnthropicError,
    owns: (path) => /^\/v1\/messages(\/|\?|$)/.test(path),
  };
};
