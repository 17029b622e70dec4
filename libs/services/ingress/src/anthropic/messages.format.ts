import type { InboundFormat } from '../formats/inbound-format';
import { ANTHROPIC_BETA_HEADER, withAnthropicBeta } from './anthropic-beta';
import { fromMessagesBody } from './anthropic-request.mapper';
import { toAnthropicMessage } from './anthropic-response.mapper';
import { AnthropicStreamEncoder } from './anthropic-stream.encoder';
import { parseMessagesBody } from './messages.schema';

/** `POST /v1/messages`, Anthropic's wire format, with the betas of its `anthropic-beta` header. */
export const anthropicMessages: InboundFormat = {
  api: 'messages',
  decode: (body, context) =>
    withAnthropicBeta(
      fromMessagesBody(parseMessagesBody(body)),
      context.headers?.[ANTHROPIC_BETA_HEADER],
      context.dropped,
    ),
  encode: (response) => toAnthropicMessage(response),
  streamEncoder: (request, context) => new AnthropicStreamEncoder(request, context),
  headers: [ANTHROPIC_BETA_HEADER],
  requestIdHeaders: ['request-id'],
};
