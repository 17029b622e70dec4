import type { ApiKeyRecord, ChatRequest, Deployment, InvokeFrame, Plan } from '@polymux/contracts';
import { requestSignals } from '@polymux/testing';

import type { Call, OpenedStream } from '../call.service';

/** Fixtures shared by the ingress call-path unit tests. */
export const key: ApiKeyRecord = {
  id: 'key-1',
  orgId: 'org-1',
  teamId: null,
  projectId: 'project-1',
  accountId: 'account-1',
  admin: false,
  allowedModels: null,
  expiresAt: null,
};

export const deployment = (id = 'sim/gpt-4o', fields: Partial<Deployment> = {}): Deployment => ({
  id,
  provider: 'openai',
  model: 'gpt-4o',
  upstreamModel: 'gpt-4o',
  pricing: { inputPerMTok: '1000000000', outputPerMTok: '2000000000' },
  contextWindow: 128_000,
  maxOutputTokens: 1_000,
  ...fields,
});

export const plan = (candidates: Deployment[] = [deployment()]): Plan => ({
  task: 'chat',
  confidence: 1,
  signals: requestSignals({ estimatedInputTokens: 3, inputTokensUpperBound: 100 }),
  resolvedFrom: 'model',
  candidates,
  reservation: { reservationId: 'res-1', amount: '1000' },
});

export const chatRequest = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gpt-4o',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }],
  stream: true,
  ...fields,
});

export const call = (fields: Partial<Call> = {}): Call => ({
  requestId: 'req-1',
  api: 'chat.completions',
  key,
  request: chatRequest(),
  startedAt: Date.now(),
  plan: plan(),
  attempts: [],
  route: [],
  ...fields,
});

export const contentChunk = (content: string, index = 0): InvokeFrame => ({
  type: 'chunk',
  chunk: { id: 'c', model: 'gpt-4o', created: 1, choices: [{ index, content }] },
});

/** An opened stream whose frames after the first are `rest`; `fail` is thrown after them. */
export const opened = (frames: InvokeFrame[], fail?: Error): OpenedStream => {
  const [first, ...rest] = frames;
  async function* more(): AsyncGenerator<InvokeFrame> {
    for (const frame of rest) yield frame;
    if (fail) throw fail;
  }
  return { deployment: deployment(), first: first as InvokeFrame, rest: more() };
};

/** A promise resolved or rejected from outside. */
export const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
};
