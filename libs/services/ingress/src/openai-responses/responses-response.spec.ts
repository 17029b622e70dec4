import type { ChatChunk, ChatRequest, ChatResponse, Deployment, Usage } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';

import type { SseEvent } from '../formats/inbound-format';
import { responses } from './responses.format';

const request: ChatRequest = {
  model: 'fast',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  tools: [{ name: 'weather', parameters: { type: 'object' } }],
  toolChoice: 'auto',
  temperature: 0.2,
  stream: false,
};
const usage: Usage = { inputTokens: 12, outputTokens: 7, cachedInputTokens: 4, reasoningTokens: 2 };
const answer = (choice: Partial<ChatResponse['choices'][number]>): ChatResponse & { usage: Usage } => ({
  id: 'chatcmpl-abc',
  model: 'gpt-4.1-mini',
  created: 1_700_000_000,
  choices: [{ index: 0, content: null, finishReason: 'stop', ...choice }],
  usage,
});

describe('canonical response → Response', () => {
  it('answers text as a completed message with usage in the Responses shape', () => {
    const body = responses.encode(answer({ content: 'Hello.' }), request);
    expect(body).toMatchObject({
      id: 'resp_abc',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      model: 'gpt-4.1-mini',
      error: null,
      incomplete_details: null,
      store: false,
      previous_response_id: null,
      temperature: 0.2,
      tool_choice: 'auto',
      tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' }, strict: null, description: null }],
      text: { format: { type: 'text' } },
      output: [
        {
          id: 'msg_abc_0',
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hello.', annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 12,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 19,
      },
    });
  });

  it('answers tool calls as function_call items after any reasoning, and no empty message', () => {
    const body = responses.encode(
      answer({
        finishReason: 'tool_calls',
        reasoning: [
          { type: 'thinking', text: 'need weather', signature: 'sig1' },
          { type: 'redacted_thinking', data: 'xx' },
        ],
        toolCalls: [
          { id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
          { id: 'call_2', name: 'weather', arguments: '{"city":"Rome"}' },
        ],
      }),
      request,
    ) as { output: unknown[] };
    expect(body.output).toEqual([
      {
        id: 'rs_abc_0',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'need weather' }],
        encrypted_content: 'sig1',
      },
      {
        id: 'fc_abc_0',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_1',
        name: 'weather',
        arguments: '{"city":"Oslo"}',
      },
      {
        id: 'fc_abc_1',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_2',
        name: 'weather',
        arguments: '{"city":"Rome"}',
      },
    ]);
  });

  it('marks a response cut by the token limit incomplete, and echoes json_schema formats', () => {
    const body = responses.encode(answer({ content: 'Hel', finishReason: 'length' }), {
      ...request,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
      maxOutputTokens: 3,
    });
    expect(body).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      max_output_tokens: 3,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
    });
  });
});

const deployment = { model: 'gpt-4.1-mini' } as Deployment;
const chunk = (delta: Partial<ChatChunk['choices'][number]>, extra: Partial<ChatChunk> = {}): ChatChunk => ({
  id: 'chatcmpl-s1',
  model: 'gpt-4.1-mini',
  created: 1_700_000_001,
  choices: [{ index: 0, ...delta }],
  ...extra,
});
const run = (chunks: ChatChunk[], end: Usage | 'error' = usage) => {
  const encoder = responses.streamEncoder({ ...request, stream: true }, { requestId: 'req_1', deployment });
  const events: SseEvent[] = chunks.flatMap((c) => encoder.chunk(c));
  events.push(
    ...(end === 'error'
      ? encoder.error({ code: ErrorCode.UpstreamError, message: 'upstream failed' })
      : encoder.end(end)),
  );
  return events.map(({ event, data }) => ({ event, data: data as Record<string, unknown> & { type: string } }));
};

describe('Responses stream encoder', () => {
  it('frames text in order, names each event after its type and numbers them from 0', () => {
    const events = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({ finishReason: 'stop' }),
    ]);
    expect(events.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events[4].data).toEqual({
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_s1_0',
      output_index: 0,
      content_index: 0,
      delta: 'Hel',
      logprobs: [],
    });
    expect(events[6].data).toMatchObject({ text: 'Hello' });
    const completed = events[9].data.response as Record<string, unknown>;
    expect(completed).toMatchObject({
      id: 'resp_s1',
      status: 'completed',
      output: [
        { id: 'msg_s1_0', type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'Hello' }] },
      ],
      usage: { input_tokens: 12, output_tokens: 7, total_tokens: 19, input_tokens_details: { cached_tokens: 4 } },
    });
    expect(events[0].data.response).toMatchObject({ id: 'resp_s1', status: 'in_progress', output: [], usage: null });
  });

  it('streams function-call arguments fragment by fragment, parallel calls included', () => {
    const events = run([
      chunk({ toolCalls: [{ index: 0, id: 'call_1', name: 'weather', arguments: '' }] }),
      chunk({ toolCalls: [{ index: 0, arguments: '{"city":' }] }),
      chunk({ toolCalls: [{ index: 1, id: 'call_2', name: 'time', arguments: '{}' }] }),
      chunk({ toolCalls: [{ index: 0, arguments: '"Oslo"}' }] }),
      chunk({ finishReason: 'tool_calls' }),
    ]);
    const types = events.map((e) => e.data.type);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[2].data.item).toEqual({
      id: 'fc_s1_0',
      type: 'function_call',
      status: 'in_progress',
      call_id: 'call_1',
      name: 'weather',
      arguments: '',
    });
    expect(events[6].data).toMatchObject({ item_id: 'fc_s1_0', output_index: 0, delta: '"Oslo"}' });
    expect(events[7].data).toMatchObject({ item_id: 'fc_s1_0', arguments: '{"city":"Oslo"}', name: 'weather' });
    expect((events[11].data.response as { output: unknown[] }).output).toEqual([
      {
        id: 'fc_s1_0',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_1',
        name: 'weather',
        arguments: '{"city":"Oslo"}',
      },
      { id: 'fc_s1_1', type: 'function_call', status: 'completed', call_id: 'call_2', name: 'time', arguments: '{}' },
    ]);
  });

  it('streams thinking as a reasoning summary closed by its signature, then the text', () => {
    const events = run([
      chunk({ reasoning: { text: 'hmm' } }),
      chunk({ reasoning: { signature: 'sig' } }),
      chunk({ content: 'ok' }),
    ]);
    expect(events.map((e) => e.data.type).slice(2, 8)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
    ]);
    expect(events[7].data.item).toEqual({
      id: 'rs_s1_0',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'hmm' }],
      encrypted_content: 'sig',
    });
    expect(events[8].data).toMatchObject({ type: 'response.output_item.added', output_index: 1 });
  });

  it('keeps a signature that closes no summary (after the text) as a reasoning item of its own', () => {
    const events = run([chunk({ content: 'ok' }), chunk({ reasoning: { signature: 'gemini:sig' } })]);
    expect(events.map((e) => e.data.type).slice(-4)).toEqual([
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    const item = { id: 'rs_s1_0', type: 'reasoning', summary: [], encrypted_content: 'gemini:sig' };
    expect(events.at(-2)?.data).toMatchObject({ output_index: 1, item });
    expect((events.at(-1)?.data.response as { output: unknown[] }).output).toEqual([
      expect.objectContaining({ type: 'message' }),
      item,
    ]);
  });

  it('ends a response cut by the token limit with response.incomplete', () => {
    const events = run([chunk({ content: 'Hel', finishReason: 'length' })]);
    expect(events.at(-1)?.data).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
  });

  it('ends a failed stream with an error event the SDK raises', () => {
    const events = run([chunk({ content: 'Hel' })], 'error');
    expect(events.at(-1)).toEqual({
      event: 'error',
      data: { type: 'error', sequence_number: 5, code: 'upstream_error', message: 'upstream failed', param: null },
    });
  });

  it('describes an empty response when no chunk arrived', () => {
    const events = run([]);
    expect(events.map((e) => e.data.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });
});
