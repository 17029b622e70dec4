import createClient from 'openapi-fetch';

import { credentialStore } from '../auth/credential';
import { ApiError } from './errors';
import type { paths } from './schema';

/** The admin API, same origin as the console (control serves both), typed by the generated schema. */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  // Looked up at each call, not captured once: tests replace it.
  fetch: (request) => globalThis.fetch(request),
});

api.use({
  onRequest({ request }) {
    const credential = credentialStore.get();
    if (credential && !request.headers.has('authorization'))
      request.headers.set('authorization', `Bearer ${credential.token}`);
    return request;
  },
});

type Answer = { data?: unknown; error?: unknown; response: Response };

/**
 * An admin API call's answer as `T` (the console's narrow view of it), or an `ApiError`: the
 * gateway's own message on a refusal, status 0 when it did not answer at all.
 */
export const call = async <T>(request: Promise<Answer>): Promise<T> => {
  let answer: Answer;
  try {
    answer = await request;
  } catch {
    throw new ApiError(0, 'the gateway did not answer');
  }
  if (!answer.response.ok) throw ApiError.of(answer.response.status, answer.error);
  return answer.data as T;
};
