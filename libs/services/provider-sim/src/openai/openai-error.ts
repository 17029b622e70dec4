import type { OpenAiErrorBody } from '@polymux/wire';
import { openAiErrorBody } from '@polymux/wire';

const typeFor = (status: number): string => {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
};

const codeFor = (status: number): string | null => {
  if (status === 401) return 'invalid_api_key';
  if (status === 404) return 'model_not_found';
  if (status === 429) return 'rate_limit_exceeded';
  return null;
};

const messageFor = (status: number): string => {
  if (status === 429) return 'Rate limit reached (simulated). Please try again later.';
  if (status >= 500) return 'The server had an error while processing your request. Sorry about that! (simulated)';
  return `Simulated error with status ${status}.`;
};

/** OpenAI's error envelope, `{"error":{message,type,param,code}}`; `code` defaults to the status's usual one. */
export const openAiError = (
  status: number,
  message: string = messageFor(status),
  param: string | null = null,
  code: string | null = codeFor(status),
): OpenAiErrorBody => openAiErrorBody(message, typeFor(status), param, code);
