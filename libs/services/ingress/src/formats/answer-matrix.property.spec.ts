import type { ChatChunk, ChatRequest, Usage } from '@polymux/contracts';
import {
  AnthropicStreamDecoder,
  BedrockStreamDecoder,
  fromAnthropicMessage,
  fromBedrockConverse,
  fromOpenAiChunk,
  fromOpenAiCompletion,
  toAnthropicRequest,
  toBedrockRequest,
} from '@polymux/providers';
import { canonicalAnswer, fragmentsOf, toolName } from '@polymux/testing';
import fc from 'fast-check';

import { anthropicMessages } from '../anthropic/messages.format';
import { deployment } from '../call/testing/call-fixtures';
import { chatCompletions } from '../openai/chat-completions.format';
import { responses } from '../openai-responses/responses.format';
import type { InboundFormat } from './inbound-format';
import type { InboundName } from './testing/inbound-bodies';
import type { Answer, Cuts } from './testing/provider-wire';
import {
  anthropicEvents,
  anthropicMessage,
  bedrockConverse,
  bedrockEvents,
  openAiChunks,
  openAiCompletion,
} from './testing/provider-wire';
import type { ProviderName } from './testing/sdk-views';
import { ACCUMULATE, VIEWS, expectedView } from './testing/sdk-views';

/*
 * Answers, for every inbound format F × provider P: a generated canonical answer → P's wire answer
 * (complete, or streamed and cut at random points: OpenAI chunks with tool-call fragments by index
 * and usage in a trailing usage-only chunk; Anthropic's message_start, content blocks with
 * input_json_delta fragments, pings, message_delta) → P's adapter decoder → F's encoder (complete)
 * or F's stream encoder (accumulated the way F's official SDK accumulates it) → what the SDK shows
 * equals `expectedView`, computed from the canonical answer alone: text, tool calls (id, name,
 * JSON-equal arguments), reasoning where F and P carry it, the finish reason in F's words, and usage
 * in F's convention (Anthropic's input excludes cached and cache-write tokens, OpenAI's includes
 * them; the canonical input total round-trips exactly). What P's wire cannot carry is listed at
 * `expectedView`.
 */

const FORMATS: Record<InboundName, InboundFormat> = { chat: chatCompletions, responses, messages: anthropicMessages };
const request: ChatRequest = {
  model: 'any-model',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }],
  stream: true,
  includeUsage: true,
};
const overJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A generated answer and the random cuts of its stream. */
const scenario = canonicalAnswer(toolName).chain((answer) => {
  const choice = answer.choices[0]!;
  const cuts: fc.Arbitrary<Cuts> = fc.record({
    text: fragmentsOf(choice.content ?? ''),
    thinking: fc.tuple(
      ...(choice.reasoning ?? []).map((part) => fragmentsOf(part.type === 'thinking' ? part.text : '')),
    ),
    arguments: fc.tuple(...(choice.toolCalls ?? []).map((call) => fragmentsOf(call.arguments))),
    pings: fc.array(fc.nat(), { maxLength: 2 }),
    emptyText: fc.boolean(),
    deltaInput: fc.boolean(),
  });
  return fc.record({ answer: fc.constant(answer), cuts });
});

/** Anthropic's renaming of the answer's tools, as the request that declared them set it up. */
const anthropicNames = (answer: Answer) => {
  const names = [...new Set((answer.choices[0]!.toolCalls ?? []).map((call) => call.name))];
  const { names: renaming } = toAnthropicRequest(
    { ...request, tools: names.map((name) => ({ name, parameters: { type: 'object' } })) },
    { model: 'claude-x', defaultMaxTokens: 1_024 },
  );
  return renaming;
};

/** Bedrock's renaming of the answer's tools (Claude on Bedrock), as the request that declared them set it up. */
const bedrockNames = (answer: Answer) => {
  const names = [...new Set((answer.choices[0]!.toolCalls ?? []).map((call) => call.name))];
  return toBedrockRequest(
    { ...request, tools: names.map((name) => ({ name, parameters: { type: 'object' } })) },
    { model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', defaultMaxTokens: 1_024 },
  ).names;
};

const complete = (answer: Answer, provider: ProviderName) => {
  if (provider === 'openai') return fromOpenAiCompletion(overJson(openAiCompletion(answer)), 'fallback');
  if (provider === 'bedrock') {
    const names = bedrockNames(answer);
    const body = overJson(bedrockConverse(answer, (name) => names.name(name)));
    return fromBedrockConverse(body, { names, jsonTool: false }, 'fallback', 'bedrock-id');
  }
  const names = anthropicNames(answer);
  return fromAnthropicMessage(
    overJson(anthropicMessage(answer, (name) => names.name(name))),
    { names, jsonTool: false },
    'fallback',
  );
};

/** The canonical chunks P's adapter makes of its stream, fed event by event as the adapter does. */
const streamed = (answer: Answer, provider: ProviderName, cuts: Cuts): ChatChunk[] => {
  if (provider === 'openai')
    return openAiChunks(answer, cuts).map((chunk) => fromOpenAiChunk(overJson(chunk), 'fallback'));
  if (provider === 'bedrock') {
    const names = bedrockNames(answer);
    const decoder = new BedrockStreamDecoder({ names, jsonTool: false }, 'fallback', 'bedrock-id');
    const chunks = bedrockEvents(answer, (name) => names.name(name), cuts).flatMap(
      (event) => decoder.decode({ kind: 'event', type: event.type, payload: overJson(event.payload) }) ?? [],
    );
    const last = decoder.end();
    expect(decoder.stopped).toBe(true);
    return last ? [...chunks, last] : chunks;
  }
  const names = anthropicNames(answer);
  const decoder = new AnthropicStreamDecoder({ names, jsonTool: false }, 'fallback');
  const chunks = anthropicEvents(answer, (name) => names.name(name), cuts).flatMap((event) => {
    const raw = JSON.stringify(event);
    return decoder.decode(JSON.parse(raw) as typeof event, raw) ?? [];
  });
  expect(decoder.stopped).toBe(true);
  return chunks;
};

const PAIRS = (['chat', 'responses', 'messages'] as const).flatMap((format) =>
  (['openai', 'anthropic', 'bedrock'] as const).map((provider) => [format, provider] as const),
);

describe.each(PAIRS)('answer %s ← %s (property)', (format, provider) => {
  it('shows the caller the same answer, complete and streamed', () => {
    fc.assert(
      fc.property(scenario, ({ answer, cuts }) => {
        const expected = expectedView(answer, format, provider);

        const response = complete(answer, provider);
        expect(response.usage).not.toBeNull();
        const body = FORMATS[format].encode({ ...response, usage: response.usage as Usage }, request);
        expect(VIEWS[format](overJson(body))).toEqual(expected);

        const chunks = streamed(answer, provider, cuts);
        // The usage ingress charges, and hands the encoder, is the last one the provider reported.
        const usage = chunks.findLast((chunk) => chunk.usage)?.usage;
        expect(usage).toBeDefined();
        const encoder = FORMATS[format].streamEncoder(request, { requestId: 'req', deployment: deployment() });
        const events = overJson([...chunks.flatMap((chunk) => encoder.chunk(chunk)), ...encoder.end(usage as Usage)]);
        if (format === 'messages') expect(events[0]?.event).toBe('message_start');
        for (const accumulated of ACCUMULATE[format](events)) expect(VIEWS[format](accumulated)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
