import type { ChatChunk, ChatRequest, ChatResponse, Usage } from '@polymux/contracts';
import {
  AnthropicStreamDecoder,
  BedrockStreamDecoder,
  GeminiStreamDecoder,
  fromAnthropicMessage,
  fromBedrockConverse,
  fromGeminiResponse,
  fromOpenAiChunk,
  fromOpenAiCompletion,
  toAnthropicRequest,
  toBedrockRequest,
  toGeminiRequest,
} from '@polymux/providers';
import { canonicalAnswer, fragmentsOf, toolName } from '@polymux/testing';
import fc from 'fast-check';

import { anthropicMessages } from '../anthropic/messages.format';
import { deployment } from '../call/testing/call-fixtures';
import { chatCompletions } from '../openai/chat-completions.format';
import { responses } from '../openai-responses/responses.format';
import type { InboundFormat } from './inbound-format';
import { geminiChunks, geminiResponse, geminiSays } from './testing/gemini-wire';
import type { InboundName } from './testing/inbound-bodies';
import type { Answer, Cuts, OpenAiDialectName } from './testing/provider-wire';
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
 * Answers, for every inbound format F × provider wire P: a generated canonical answer → P's wire
 * answer (complete, or streamed and cut at random points: OpenAI chunks with tool-call fragments by
 * index and usage in a trailing usage-only chunk, DeepSeek's with `reasoning_content` pieces first;
 * Anthropic's message_start, content blocks with input_json_delta fragments, pings, message_delta;
 * Bedrock's ConverseStream events; Gemini's whole-response chunks with thought parts, signatures
 * where Gemini puts them and calls without ids) → P's adapter decoder → F's encoder (complete) or
 * F's stream encoder (accumulated the way F's official SDK accumulates it) → what the SDK shows
 * equals `expectedView`, computed from the canonical answer alone: text, refusal, tool calls (id,
 * name, JSON-equal arguments), reasoning where F and P carry it, the finish reason in F's words, and
 * usage in F's convention (Anthropic's input excludes cached and cache-write tokens, OpenAI's
 * includes them; the canonical input total round-trips exactly). What P's wire cannot carry is
 * listed at `expectedView`.
 *
 * The provider families map onto these wires: OpenAI, Azure OpenAI and the OpenAI-compatible
 * presets speak `openai` (Azure's filter annotations are read by nothing), DeepSeek `deepseek`;
 * Anthropic and Claude on Vertex AI `anthropic`; Gemini and Gemini on Vertex AI `gemini`; Bedrock
 * (Claude and Nova) `bedrock` — each family's adapter reads its wire with the decoder used here.
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
    signature: fc.constantFrom('thought', 'emptyThought', 'next'),
    bare: fc.boolean(),
  });
  return fc.record({ answer: fc.constant(answer), cuts });
});

/** The tool names of the answer's calls, declared in a request as a caller would have. */
const declaring = (answer: Answer): ChatRequest => {
  const names = [...new Set((answer.choices[0]!.toolCalls ?? []).map((call) => call.name))];
  return { ...request, tools: names.map((name) => ({ name, parameters: { type: 'object' } })) };
};

/** A provider's wire: what it can say of an answer, and what its adapter makes of it, complete and streamed. */
interface Wire {
  says?(answer: Answer, cuts: Cuts): Answer;
  complete(answer: Answer, cuts: Cuts): ChatResponse;
  streamed(answer: Answer, cuts: Cuts): ChatChunk[];
}

const openAiWire = (dialect: OpenAiDialectName): Wire => ({
  complete: (answer) => fromOpenAiCompletion(overJson(openAiCompletion(answer, dialect)), 'fallback'),
  streamed: (answer, cuts) =>
    openAiChunks(answer, cuts, dialect).map((chunk) => fromOpenAiChunk(overJson(chunk), 'fallback')),
});

/** Anthropic's renaming of the answer's tools, as the request that declared them set it up. */
const anthropicNames = (answer: Answer) =>
  toAnthropicRequest(declaring(answer), { model: 'claude-x', defaultMaxTokens: 1_024 }).names;

/** Bedrock's renaming of the answer's tools (Claude on Bedrock), as the request that declared them set it up. */
const bedrockNames = (answer: Answer) =>
  toBedrockRequest(declaring(answer), {
    model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    defaultMaxTokens: 1_024,
  }).names;

const geminiNames = (answer: Answer) => toGeminiRequest(declaring(answer)).names;

const WIRES: Record<ProviderName, Wire> = {
  openai: openAiWire('openai'),
  deepseek: openAiWire('deepseek'),
  anthropic: {
    complete: (answer) => {
      const names = anthropicNames(answer);
      const body = overJson(anthropicMessage(answer, (name) => names.name(name)));
      return fromAnthropicMessage(body, { names, jsonTool: false }, 'fallback');
    },
    streamed: (answer, cuts) => {
      const names = anthropicNames(answer);
      const decoder = new AnthropicStreamDecoder({ names, jsonTool: false }, 'fallback');
      const chunks = anthropicEvents(answer, (name) => names.name(name), cuts).flatMap((event) => {
        const raw = JSON.stringify(event);
        return decoder.decode(JSON.parse(raw) as typeof event, raw) ?? [];
      });
      expect(decoder.stopped).toBe(true);
      return chunks;
    },
  },
  bedrock: {
    complete: (answer) => {
      const names = bedrockNames(answer);
      const body = overJson(bedrockConverse(answer, (name) => names.name(name)));
      return fromBedrockConverse(body, { names, jsonTool: false }, 'fallback', 'bedrock-id');
    },
    streamed: (answer, cuts) => {
      const names = bedrockNames(answer);
      const decoder = new BedrockStreamDecoder({ names, jsonTool: false }, 'fallback', 'bedrock-id');
      const chunks = bedrockEvents(answer, (name) => names.name(name), cuts).flatMap(
        (event) => decoder.decode({ kind: 'event', type: event.type, payload: overJson(event.payload) }) ?? [],
      );
      const last = decoder.end();
      expect(decoder.stopped).toBe(true);
      return last ? [...chunks, last] : chunks;
    },
  },
  gemini: {
    says: geminiSays,
    complete: (answer, cuts) => {
      const names = geminiNames(answer);
      return fromGeminiResponse(overJson(geminiResponse(answer, (name) => names.name(name), cuts)), names, 'fallback');
    },
    streamed: (answer, cuts) => {
      const names = geminiNames(answer);
      const decoder = new GeminiStreamDecoder(names, 'fallback');
      const chunks = geminiChunks(answer, (name) => names.name(name), cuts).flatMap((chunk) =>
        decoder.decode(overJson(chunk)),
      );
      const last = decoder.end();
      expect(decoder.finished).toBe(true);
      return last ? [...chunks, last] : chunks;
    },
  },
};

const PAIRS = (['chat', 'responses', 'messages'] as const).flatMap((format) =>
  (Object.keys(WIRES) as ProviderName[]).map((provider) => [format, provider] as const),
);

describe.each(PAIRS)('answer %s ← %s (property)', (format, provider) => {
  it('shows the caller the same answer, complete and streamed', () => {
    fc.assert(
      fc.property(scenario, ({ answer: generated, cuts }) => {
        const wire = WIRES[provider];
        const answer = wire.says?.(generated, cuts) ?? generated;

        const response = wire.complete(answer, cuts);
        expect(response.usage).not.toBeNull();
        // A wire without call ids (Gemini's): the adapter's, distinct, are the ones every view shows.
        const ids = response.choices[0]!.toolCalls?.map((call) => call.id);
        if (ids) expect(new Set(ids).size).toBe(ids.length);
        const expected = expectedView(answer, format, provider, provider === 'gemini' ? ids : undefined);
        const body = FORMATS[format].encode({ ...response, usage: response.usage as Usage }, request);
        expect(VIEWS[format](overJson(body))).toEqual(expected);

        const chunks = wire.streamed(answer, cuts);
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
