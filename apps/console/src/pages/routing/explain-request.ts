import { ApiError } from '../../api/errors';
import type { RoutingExplanation } from '../../api/types';

export type Role = 'system' | 'user' | 'assistant';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

/** The playground's request as typed: only in the page's memory, never stored or logged. */
export interface ExplainValues {
  model: string;
  messages: Array<{ role: Role; content: string }>;
  tools: string;
  responseFormat: string;
}

export const EMPTY_REQUEST: ExplainValues = {
  model: 'auto',
  messages: [{ role: 'user', content: '' }],
  tools: '',
  responseFormat: '',
};

export type ExplainField = 'model' | 'tools' | 'responseFormat' | 'messages';

export class RequestProblem extends Error {
  constructor(
    readonly field: ExplainField,
    message: string,
  ) {
    super(message);
  }
}

const parsed = (field: ExplainField, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestProblem(field, `${field === 'responseFormat' ? 'response_format' : field} is not valid JSON`);
  }
};

/** A Chat Completions body from the form; throws `RequestProblem` for JSON that does not parse. */
export const chatBodyOf = (values: ExplainValues) => ({
  model: values.model.trim(),
  messages: values.messages,
  ...(values.tools.trim() ? { tools: parsed('tools', values.tools) } : {}),
  ...(values.responseFormat.trim() ? { response_format: parsed('responseFormat', values.responseFormat) } : {}),
});

/**
 * `POST /v1/routing/explain` on the data plane with an API key (not the console's credential): the
 * router's decision for that key, with nothing reserved, charged or sent to a provider. Errors as
 * the admin API's (`ApiError`), since explain answers in OpenAI's error shape.
 */
export const explain = async (
  dataPlane: string,
  apiKey: string,
  body: ReturnType<typeof chatBodyOf>,
): Promise<RoutingExplanation> => {
  let response: Response;
  try {
    response = await globalThis.fetch(
      new Request(`${dataPlane}/v1/routing/explain`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey.trim()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    );
  } catch {
    throw new ApiError(0, 'the data plane did not answer');
  }
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw ApiError.of(response.status, answer);
  return answer as RoutingExplanation;
};

/** The form field an explain refusal's `param` names (`messages.0.content`, `tools`, `response_format`). */
export const explainFieldOf = (param: string | null): ExplainField | null => {
  const head = param?.split('.')[0];
  if (head === 'model' || head === 'tools' || head === 'messages') return head;
  if (head === 'response_format') return 'responseFormat';
  return null;
};
