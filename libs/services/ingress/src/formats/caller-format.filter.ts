import { Catch } from '@nestjs/common';
import { WireErrorFilter, anthropicErrors, openAiErrors } from '@polymux/http';

import { isAnthropicCaller } from '../models/anthropic-models';

/**
 * Errors in the caller's format on endpoints both SDK families call (`GET /v1/models`,
 * `POST /v1/routing/explain`): Anthropic's for an Anthropic client, else OpenAI's.
 */
@Catch()
export class CallerFormatErrorFilter extends WireErrorFilter {
  constructor() {
    super((request) => (isAnthropicCaller(request.headers) ? anthropicErrors : openAiErrors));
  }
}
