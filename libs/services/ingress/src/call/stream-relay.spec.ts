import type { Usage } from '@polymux/contracts';
import { ErrorCode, PolymuxException, countInputTokens, countOutputTokens } from '@polymux/contracts';

import type { CallService } from './call.service';
import type { SseWriter } from './sse-writer';
import { chatCompletions } from '../openai/chat-completions.format';
import { relayStream } from './stream-relay';
import { call, chatRequest, contentChunk, deferred, opened } from './testing/call-fixtures';

const usage: Usage = { inputTokens: 7, outputTokens: 2 };

const setup = (settle: () => Promise<void> = () => Promise.resolve()) => {
  const written: unknown[] = [];
  const sse = { data: jest.fn(async (payload: unknown) => void written.push(payload)), end: jest.fn() };
  const calls = { settle: jest.fn(settle), failed: jest.fn(() => Promise.resolve()) };
  return { written, sse, calls, writer: sse as unknown as SseWriter, service: calls as unknown as CallService };
};

describe('relayStream', () => {
  it('relays chunks, settles the provider’s usage as success, and only then writes [DONE]', async () => {
    const ack = deferred();
    const { written, sse, calls, writer, service } = setup(() => ack.promise);
    const relay = relayStream(
      service,
      call(),
      opened([contentChunk('Hel'), contentChunk('lo'), { type: 'done', usage }]),
      writer,
      chatCompletions,
      new AbortController().signal,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.settle).toHaveBeenCalledWith(expect.anything(), expect.anything(), usage, 'success');
    // Not acknowledged by JetStream yet: the caller has not got its end of stream.
    expect(written).not.toContain('[DONE]');
    expect(sse.end).not.toHaveBeenCalled();
    ack.resolve();
    await relay;
    expect(written.at(-1)).toBe('[DONE]');
    expect(written.slice(0, 2)).toEqual([
      expect.objectContaining({ choices: [expect.objectContaining({ delta: { content: 'Hel' } })] }),
      expect.objectContaining({ choices: [expect.objectContaining({ delta: { content: 'lo' } })] }),
    ]);
    expect(sse.end).toHaveBeenCalled();
  });

  it('sends the settled usage in a closing chunk when the caller asked for it', async () => {
    const { written, writer, service } = setup();
    const withUsage = call({ request: chatRequest({ includeUsage: true }) });
    await relayStream(
      service,
      withUsage,
      opened([contentChunk('hi'), { type: 'done', usage }]),
      writer,
      chatCompletions,
      new AbortController().signal,
    );
    expect(written.slice(-2)).toEqual([
      expect.objectContaining({
        choices: [],
        usage: expect.objectContaining({ prompt_tokens: 7, completion_tokens: 2 }),
      }),
      '[DONE]',
    ]);
  });

  it('counts with a tokenizer when the upstream reports no usage, never zero', async () => {
    const { calls, writer, service } = setup();
    const request = chatRequest();
    await relayStream(
      service,
      call({ request }),
      opened([contentChunk('Once upon'), contentChunk(' a time'), { type: 'done', usage: null }]),
      writer,
      chatCompletions,
      new AbortController().signal,
    );
    const counted = {
      inputTokens: countInputTokens(request, 'gpt-4o'),
      outputTokens: countOutputTokens(['Once upon a time']),
    };
    expect(counted.outputTokens).toBeGreaterThan(0);
    expect(calls.settle).toHaveBeenCalledWith(expect.anything(), expect.anything(), counted, 'success');
  });

  it('charges a stream that fails after content as partial and ends it with the error, not [DONE]', async () => {
    const { written, calls, writer, service } = setup();
    const broken = new PolymuxException(ErrorCode.UpstreamError, 'upstream went away');
    await relayStream(
      service,
      call(),
      opened([contentChunk('partial answer')], broken),
      writer,
      chatCompletions,
      new AbortController().signal,
    );
    expect(calls.settle).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      expect.objectContaining({ outputTokens: countOutputTokens(['partial answer']) }),
      'partial',
    );
    expect(calls.failed).not.toHaveBeenCalled();
    expect(written.at(-1)).toEqual({ error: expect.objectContaining({ code: ErrorCode.UpstreamError }) });
    expect(written).not.toContain('[DONE]');
  });

  it('charges nothing and releases the hold when the stream fails before any content', async () => {
    const { written, calls, writer, service } = setup();
    const roleOnly = {
      type: 'chunk' as const,
      chunk: { id: 'c', model: 'm', created: 1, choices: [{ index: 0, role: 'assistant' as const }] },
    };
    await relayStream(
      service,
      call(),
      opened([roleOnly], new PolymuxException(ErrorCode.Timeout, 'idle')),
      writer,
      chatCompletions,
      new AbortController().signal,
    );
    expect(calls.settle).not.toHaveBeenCalled();
    expect(calls.failed).toHaveBeenCalled();
    expect(written.at(-1)).toEqual({ error: expect.objectContaining({ code: ErrorCode.Timeout }) });
  });

  it('charges what was produced as cancelled when the caller leaves', async () => {
    const { written, calls, writer, service } = setup();
    const abort = new AbortController();
    abort.abort();
    await relayStream(
      service,
      call(),
      opened([contentChunk('half')], new Error('aborted')),
      writer,
      chatCompletions,
      abort.signal,
    );
    expect(calls.settle).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      expect.objectContaining({ outputTokens: countOutputTokens(['half']) }),
      'cancelled',
    );
    expect(written.some((payload) => typeof payload === 'object' && payload !== null && 'error' in payload)).toBe(
      false,
    );
  });

  it('keeps the hold and ends with service_unavailable when JetStream does not record the usage', async () => {
    const { written, calls, writer, service } = setup(() =>
      Promise.reject(new PolymuxException(ErrorCode.ServiceUnavailable, 'usage could not be recorded')),
    );
    await relayStream(
      service,
      call(),
      opened([contentChunk('hi'), { type: 'done', usage }]),
      writer,
      chatCompletions,
      new AbortController().signal,
    );
    expect(calls.failed).not.toHaveBeenCalled();
    expect(written.at(-1)).toEqual({ error: expect.objectContaining({ code: ErrorCode.ServiceUnavailable }) });
    expect(written).not.toContain('[DONE]');
  });
});
