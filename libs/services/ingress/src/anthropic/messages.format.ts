import type { InboundFormat } from '../formats/inbound-format';
import { fromMessagesBody } from './anthropic-request.mapper';
import { toAnthropicMessage } from './anthropic-response.mapper';
import { AnthropicStreamEncoder } from './anthropic-stream.encoder';
import { parseMessagesBody } from './messages.schema';

/** `POST /v1/messages`, Anthropic's wire format. */
export const anthropicMessages: InboundFormat = {
  api: 'messages',
  decode: (body) => fromMessagesBody(parseMessagesBody(body)),
  encode: (response) => toAnthropicMessage(response),
  streamEncoder: (request, context) => new AnthropicStreamEncoder(request, context),
  requestIdHeaders: ['request-id'],
};
