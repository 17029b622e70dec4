import type {
  ChatRequest,
  ChatResponse,
  Choice,
  ContentPart,
  FinishReason,
  Message,
  ReasoningPart,
  ResponseFormat,
  Tool,
  ToolCall,
  ToolChoice,
  Usage,
} from '@polymux/contracts';
import fc from 'fast-check';

/*
 * fast-check arbitraries of the canonical model, shared by the round-trip properties of every
 * inbound format × provider pair (ingress) and of the provider adapters. They generate what a caller
 * or a provider may really send — conversations with text, data-URL images, PDFs, tools, parallel
 * tool calls and their results, signed thinking, system prompts, sampling parameters, response
 * formats and stop sequences; answers with text, tool calls, reasoning, every finish reason and
 * cached-token usage — so that a property states what survives each hop, not what a fixture happens to hold.
 */

/** A string of `min`–`max` characters drawn from `alphabet` (much cheaper to generate than `fc.stringMatching`). */
const chars = (alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;

/** Words, never empty: the text of a block (empty texts are tested on their own, they carry nothing). */
export const words = fc
  .tuple(chars(LOWER, 1, 1), chars(`${LOWER} .,!?é`, 0, 24))
  .map(([first, rest]) => `${first}${rest}`);

/** Hundredths, so that every value survives JSON exactly (no -0, no long binary fractions). */
export const hundredths = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: min * 100, max: max * 100 }).map((n) => n / 100);

/**
 * Tool names as callers write them: valid everywhere, OpenAI-style namespaced (`ns.tool`, refused
 * by Anthropic) and longer than the 64 characters Anthropic and OpenAI allow.
 */
export const toolName = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(chars(LOWER, 1, 1), chars(`${ALNUM}_-`, 0, 19)).map(([a, b]) => `${a}${b}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(chars(LOWER, 1, 8), fc.constantFrom('.', ':'), chars(LOWER, 1, 8))
      .map(([a, b, c]) => `${a}${b}${c}`),
  },
  { weight: 1, arbitrary: chars(LOWER, 65, 72) },
);

/** Tool-call ids: OpenAI's, Anthropic's, and ids with characters Anthropic refuses. */
export const toolCallId = fc.oneof(
  chars(ALNUM, 4, 12).map((id) => `call_${id}`),
  chars(ALNUM, 4, 12).map((id) => `toolu_${id}`),
  fc.tuple(fc.constantFrom(':', '.'), chars(`${LOWER}0123456789`, 1, 6)).map(([sep, id]) => `call${sep}${id}`),
);

/** A JSON object, the only tool input every provider takes. */
export const jsonObject = fc.dictionary(
  chars(LOWER, 1, 6),
  fc.oneof(fc.integer(), words, fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })),
  { maxKeys: 4 },
);

const text = (value: string): ContentPart => ({ type: 'text', text: value });

const imagePart = fc
  .constantFrom(
    'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk',
    'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ',
    'https://example.test/cat.png',
  )
  .map((url): ContentPart => ({ type: 'image', url }));

const documentPart = fc
  .record({
    data: fc.base64String({ minLength: 4, maxLength: 24 }),
    filename: chars(LOWER, 1, 8).map((name) => `${name}.pdf`),
  })
  .filter(({ data }) => data.length > 0)
  .map(({ data, filename }): ContentPart => ({
    type: 'document',
    url: `data:application/pdf;base64,${data}`,
    mediaType: 'application/pdf',
    filename,
  }));

const thinkingPart = fc
  .record({ text: words, signature: fc.base64String({ minLength: 4, maxLength: 16 }).filter((s) => s.length > 0) })
  .map(({ text: value, signature }): ContentPart => ({ type: 'thinking', text: value, signature }));

const userTurn = fc
  .array(fc.oneof({ weight: 3, arbitrary: words.map(text) }, imagePart, documentPart), { minLength: 1, maxLength: 3 })
  .map((content): Message[] => [{ role: 'user', content }]);

/** An assistant turn that calls 1–3 declared tools at once, then one tool message per call. */
const toolTurn = (tools: string[]) =>
  fc
    .record({
      thinking: fc.option(thinkingPart, { nil: undefined }),
      said: fc.option(words, { nil: undefined }),
      calls: fc.array(fc.record({ id: toolCallId, name: fc.constantFrom(...tools), input: jsonObject }), {
        minLength: 1,
        maxLength: 3,
      }),
      results: fc.array(words, { minLength: 3, maxLength: 3 }),
    })
    .map(({ thinking, said, calls, results }): Message[] => [
      {
        role: 'assistant',
        content: [...(thinking ? [thinking] : []), ...(said === undefined ? [] : [text(said)])],
        toolCalls: calls.map((call): ToolCall => ({
          id: call.id,
          name: call.name,
          arguments: JSON.stringify(call.input),
        })),
      },
      ...calls.map((call, index): Message => ({ role: 'tool', toolCallId: call.id, content: [text(results[index]!)] })),
    ]);

const answerTurn = fc
  .record({ thinking: fc.option(thinkingPart, { nil: undefined }), said: words })
  .map(({ thinking, said }): Message[] => [
    { role: 'assistant', content: [...(thinking ? [thinking] : []), text(said)] },
  ]);

/** Tool-call ids made unique over the conversation (a counter suffix), as every provider requires. */
const uniqueIds = (messages: Message[]): Message[] => {
  let counter = 0;
  const renamed: string[] = [];
  return messages.map((message) => {
    if (message.toolCalls) {
      return {
        ...message,
        toolCalls: message.toolCalls.map((call) => {
          const id = `${call.id}${counter++}`;
          renamed.push(id);
          return { ...call, id };
        }),
      };
    }
    if (message.role === 'tool') return { ...message, toolCallId: renamed.shift() };
    return message;
  });
};

const responseFormat: fc.Arbitrary<ResponseFormat> = fc.oneof(
  fc.constant({ type: 'text' as const }),
  fc.constant({ type: 'json_object' as const }),
  fc.constant({
    type: 'json_schema' as const,
    name: 'answer',
    schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
    strict: true,
  }),
);

/** What `ChatRequest` carries besides its messages, every field optional. */
const settings = (tools: string[]) =>
  fc.record(
    {
      toolChoice:
        tools.length > 0
          ? fc.oneof(
              fc.constantFrom<ToolChoice>('auto', 'none', 'required'),
              fc.constantFrom(...tools).map((name): ToolChoice => ({ name })),
            )
          : fc.constant<ToolChoice>('auto'),
      parallelToolCalls: fc.boolean(),
      responseFormat,
      maxOutputTokens: fc.integer({ min: 1, max: 100_000 }),
      temperature: hundredths(0, 2),
      topP: hundredths(0, 1),
      topK: fc.integer({ min: 1, max: 100 }),
      stop: fc.array(words, { minLength: 1, maxLength: 4 }),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
      n: fc.integer({ min: 1, max: 4 }),
      logprobs: fc.constant(true),
      topLogprobs: fc.integer({ min: 0, max: 20 }),
      presencePenalty: hundredths(-2, 2),
      frequencyPenalty: hundredths(-2, 2),
      user: chars(`${LOWER}0123456789-`, 1, 20),
      reasoning: fc.constantFrom('low', 'medium', 'high').map((effort) => ({ effort: effort as 'low' })),
    },
    { requiredKeys: [] },
  );

const toolDefinition = (name: string): fc.Arbitrary<Tool> =>
  fc
    .record({
      description: fc.option(words, { nil: undefined }),
      parameters: fc.constantFrom<Record<string, unknown>>(
        { type: 'object' },
        { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      ),
    })
    .map(({ description, parameters }) => ({ name, parameters, ...(description ? { description } : {}) }));

/**
 * A canonical request a caller could have sent: a system prompt or none, then 1–3 rounds of a user
 * turn and an assistant turn (an answer, or parallel tool calls and their results), with any settings.
 */
export const canonicalRequest: fc.Arbitrary<ChatRequest> = fc
  .uniqueArray(toolName, { maxLength: 3 })
  .chain((tools) =>
    fc.record({
      tools: fc.tuple(...tools.map(toolDefinition)),
      system: fc.option(fc.array(words, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      rounds: fc.array(
        fc.tuple(
          userTurn,
          fc.option(tools.length > 0 ? fc.oneof(answerTurn, toolTurn(tools)) : answerTurn, { nil: undefined }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      settings: settings(tools),
    }),
  )
  .map(({ tools, system, rounds, settings: fields }): ChatRequest => {
    const messages: Message[] = [
      ...(system ? [{ role: 'system' as const, content: system.map(text) }] : []),
      ...uniqueIds(rounds.flatMap(([user, assistant]) => [...user, ...(assistant ?? [])])),
    ];
    return { model: 'any-model', messages, stream: false, ...(tools.length > 0 ? { tools } : {}), ...fields };
  });

/** Consistent usage: cached reads and cache writes are part of the input, reasoning part of the output. */
export const canonicalUsage: fc.Arbitrary<Usage> = fc
  .record({
    fresh: fc.nat({ max: 5_000 }),
    cached: fc.option(fc.nat({ max: 5_000 }), { nil: undefined }),
    written: fc.option(fc.nat({ max: 5_000 }), { nil: undefined }),
    visible: fc.nat({ max: 5_000 }),
    reasoning: fc.option(fc.nat({ max: 5_000 }), { nil: undefined }),
  })
  .map(({ fresh, cached, written, visible, reasoning }) => ({
    inputTokens: fresh + (cached ?? 0) + (written ?? 0),
    outputTokens: visible + (reasoning ?? 0),
    ...(cached === undefined ? {} : { cachedInputTokens: cached }),
    ...(written === undefined ? {} : { cacheWriteTokens: written }),
    ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
  }));

/** Tool-call ids a provider writes (valid everywhere). */
const answerCallId = fc
  .tuple(fc.constantFrom('call', 'toolu'), chars(ALNUM, 6, 12))
  .map(([prefix, id]) => `${prefix}_${id}`);

/**
 * A canonical answer a provider could have given (one choice): reasoning blocks, text (possibly
 * empty), parallel tool calls, and a finish reason that fits them (`tool_calls` only with calls;
 * `error` is no provider's wire reason and is not generated), with usage.
 */
export const canonicalAnswer = (
  toolNames: fc.Arbitrary<string> = chars(LOWER, 1, 16),
): fc.Arbitrary<ChatResponse & { usage: Usage }> =>
  fc
    .record({
      id: chars(ALNUM, 6, 12),
      reasoning: fc.array(thinkingPart, { maxLength: 2 }),
      content: fc.oneof(words, fc.constant('')),
      calls: fc.uniqueArray(fc.record({ id: answerCallId, name: toolNames, input: jsonObject }), {
        maxLength: 3,
        selector: (call) => call.id,
      }),
      ending: fc.constantFrom<FinishReason | 'stop_sequence'>('stop', 'stop_sequence', 'length', 'content_filter'),
      stopSequence: words,
      usage: canonicalUsage,
    })
    .map(({ id, reasoning, content, calls, ending, stopSequence, usage }) => {
      const finishReason: FinishReason =
        calls.length > 0 && ending !== 'length' ? 'tool_calls' : ending === 'stop_sequence' ? 'stop' : ending;
      const choice: Choice = {
        index: 0,
        content: content === '' && calls.length > 0 ? null : content,
        finishReason,
        ...(reasoning.length > 0 ? { reasoning: reasoning as ReasoningPart[] } : {}),
        ...(calls.length > 0
          ? {
              toolCalls: calls.map((call) => ({ id: call.id, name: call.name, arguments: JSON.stringify(call.input) })),
            }
          : {}),
        ...(ending === 'stop_sequence' && calls.length === 0 ? { stopSequence } : {}),
      };
      return { id, model: 'upstream-model', created: 1_700_000_000, choices: [choice], usage };
    });

/** `value` cut at random points into non-empty consecutive pieces (none when it is empty). */
export const fragmentsOf = (value: string): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, value.length - 1) }), { maxLength: 6 }).map((cuts) => {
    const points = [0, ...cuts.filter((cut) => cut < value.length).sort((a, b) => a - b), value.length];
    return points
      .slice(1)
      .map((end, i) => value.slice(points[i], end))
      .filter((piece) => piece !== '');
  });
