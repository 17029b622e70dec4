/**
 * OpenAI's error body, `{"error":{message,type,param,code}}`, defined once: ingress answers its
 * OpenAI callers with it, the provider simulator answers with it as OpenAI does, and the adapters
 * read the machine fields of a provider's error by its field names.
 */

/** The `error` object. `type` is a free token (OpenAI's SDKs pick the error class by HTTP status). */
export interface OpenAiError {
  message: string;
  type: string;
  /** The offending request field, e.g. `messages.0.content`. */
  param: string | null;
  code: string | null;
}

export interface OpenAiErrorBody {
  error: OpenAiError;
}

/** An OpenAI error body; `param` and `code` are null unless given, as OpenAI sends them. */
export const openAiErrorBody = (
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): OpenAiErrorBody => ({ error: { message, type, param, code } });
