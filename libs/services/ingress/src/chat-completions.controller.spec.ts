import { EventEmitter } from 'node:events';

import type { ChatResponse, InvokeFrame } from '@polymux/contracts';
import { ErrorCode, PolymuxException, countInputTokens, countOutputTokens } from '@polymux/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { PolymuxConfig } from '@polymux/config';

import type { Authenticator } from './auth/authenticator';
import type { CallService } from './call/call.service';
import { deferred, deployment, key, plan } from './call/testing/call-fixtures';
import { ChatCompletionsController } from './chat-completions.controller';
import { MemoryRateLimitStore } from './rate-limits/memory-rate-limit.store';
import { RateLimiter } from './rate-limits/rate-limiter';
import { MemorySpanLinkStore } from './sessions/memory-span-link.store';
import { SessionTraces } from './sessions/session-traces';

const response = (usage: ChatResponse['usage']): ChatResponse => ({
  id: 'chatcmpl-1',
  model: 'gpt-4o',
  created: 1,
  choices: [{ index: 0, content: 'Hello back to you', finishReason: 'stop' }],
  usage,
});

async function* nothing(): AsyncGenerator<InvokeFrame> {}

const setup = (settle: () => Promise<void> = () => Promise.resolve(), first?: InvokeFrame) => {
  const calls = {
    plan: jest.fn(async () => plan()),
    open: jest.fn(async () => ({
      deployment: deployment(),
      first: first ?? { type: 'response' as const, response: response({ inputTokens: 4, outputTokens: 3 }) },
      rest: nothing(),
    })),
    settle: jest.fn(settle),
    failed: jest.fn(async () => undefined),
    tokenBound: jest.fn(() => 100),
  };
  const keys = { authenticate: jest.fn(async () => key) };
  const limits = new RateLimiter(new MemoryRateLimitStore(), {
    billing: { reservationTtlSeconds: 900 },
  } as PolymuxConfig);
  const raw = Object.assign(new EventEmitter(), { writableFinished: false });
  interface FakeReply {
    raw: typeof raw;
    sent: unknown;
    statusCode: number;
    header: jest.Mock;
    status: jest.Mock;
    send: jest.Mock;
  }
  const reply: FakeReply = {
    raw,
    sent: undefined as unknown,
    statusCode: 0,
    header: jest.fn(() => reply),
    status: jest.fn((code: number): FakeReply => {
      reply.statusCode = code;
      return reply;
    }),
    send: jest.fn(async (body: unknown) => {
      reply.sent = body;
    }),
  };
  const controller = new ChatCompletionsController(
    keys as unknown as Authenticator,
    calls as unknown as CallService,
    limits,
    new SessionTraces(new MemorySpanLinkStore(), { sessions: { spanLinkTtlSeconds: 60 } } as PolymuxConfig),
  );
  const request = { headers: { authorization: 'Bearer pmx-test' } } as unknown as FastifyRequest;
  const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] };
  const create = () => controller.create(request, reply as unknown as FastifyReply, body);
  return { calls, reply, create };
};

describe('ChatCompletionsController (non-streaming)', () => {
  it('sends the body only after the usage is acknowledged', async () => {
    const ack = deferred();
    const { calls, reply, create } = setup(() => ack.promise);
    const creating = create();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.settle).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      { inputTokens: 4, outputTokens: 3 },
      'success',
    );
    expect(reply.send).not.toHaveBeenCalled();
    ack.resolve();
    await creating;
    expect(reply.statusCode).toBe(200);
    expect(reply.sent).toMatchObject({ object: 'chat.completion', usage: { prompt_tokens: 4, completion_tokens: 3 } });
  });

  it('answers 503 (service_unavailable) and releases the hold when the usage cannot be recorded', async () => {
    const unrecorded = new PolymuxException(ErrorCode.ServiceUnavailable, 'usage could not be recorded; try again');
    const { calls, reply, create } = setup(() => Promise.reject(unrecorded));
    await expect(create()).rejects.toBe(unrecorded);
    expect(calls.failed).toHaveBeenCalledWith(expect.anything(), unrecorded);
    expect(reply.send).not.toHaveBeenCalled();
  });

  it('counts an answer the upstream reported no usage for, and reports that count to the caller', async () => {
    const { calls, reply, create } = setup(undefined, { type: 'response', response: response(null) });
    await create();
    const request = (calls.settle.mock.calls[0] as unknown as [{ request: Parameters<typeof countInputTokens>[0] }])[0]
      .request;
    const counted = {
      inputTokens: countInputTokens(request, 'gpt-4o'),
      outputTokens: countOutputTokens(['Hello back to you']),
    };
    expect(calls.settle).toHaveBeenCalledWith(expect.anything(), expect.anything(), counted, 'success');
    expect(reply.sent).toMatchObject({
      usage: { prompt_tokens: counted.inputTokens, completion_tokens: counted.outputTokens },
    });
  });

  it('releases the hold and audits when planning (with its reservation) or opening fails', async () => {
    const { calls, create } = setup();
    const refused = new PolymuxException(ErrorCode.InsufficientCredits, 'no credits');
    calls.plan.mockRejectedValueOnce(refused);
    await expect(create()).rejects.toBe(refused);
    expect(calls.failed).toHaveBeenCalledWith(expect.anything(), refused);
    expect(calls.settle).not.toHaveBeenCalled();
  });
});
