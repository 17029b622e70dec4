import type { InboundFormat } from '../formats/inbound-format';
import { fromResponsesBody } from './responses-request.mapper';
import { toResponse } from './responses-response.mapper';
import { parseResponsesBody } from './responses.schema';
import { responsesStream } from './responses-stream';

/** `POST /v1/responses`, OpenAI's Responses wire format, stateless (nothing is stored). */
export const responses: InboundFormat = {
  api: 'responses',
  decode: (body, context) => fromResponsesBody(parseResponsesBody(body), context),
  encode: (response, request) => toResponse(response, request),
  streamEncoder: responsesStream,
};
