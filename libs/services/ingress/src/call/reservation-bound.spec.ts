import type { ChatRequest, Deployment, Message, Tool } from '@polymux/contracts';
import { callCost, countInputTokens, intakeOf, maxCallCost, promptTokensBound } from '@polymux/contracts';
import { toOpenAiRequest } from '@polymux/providers';
import { ChatCompletionRequest, parseScenario, planCompletion } from '@polymux/provider-sim';
import fc from 'fast-check';

/*
 * The reservation is a true upper bound: over generated requests (unicode and long texts, names,
 * tool calls and results, tool definitions with schemas, response formats, images of every detail
 * as links and as data URLs of any size, many messages, n), the input bound is at least what the
 * provider simulator bills for the same request on the wire (mapped by the real OpenAI adapter)
 * and at least a real tokenizer's count, and the amount held is at least the cost settled.
 */

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'gpt-5', 'claude-sonnet-4-5'];

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '😀', '中', '\u0301', '{"'), maxLength: 5_000 }),
);
const name = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 });

const pngDataUrl = (width: number, height: number): string => {
  const bytes = Buffer.alloc(33);
  bytes.writeUInt32BE(0x89504e47, 0);
  bytes.writeUInt32BE(0x0d0a1a0a, 4);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return `data:image/png;base64,${bytes.toString('base64')}`;
};
const image = fc.record({
  type: fc.constant('image' as const),
  url: fc.oneof(
    fc.constant('https://images.test/cat.png'),
    fc
      .tuple(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 1, max: 20_000 }))
      .map(([w, h]) => pngDataUrl(w, h)),
  ),
  detail: fc.option(fc.constantFrom('auto' as const, 'low' as const, 'high' as const), { nil: undefined }),
});
const content = fc.array(fc.oneof(fc.record({ type: fc.constant('text' as const), text }), image), {
  minLength: 1,
  maxLength: 4,
});
const toolCall = fc.record({ id: name, name, arguments: text });
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record(
    { role: fc.constantFrom('system' as const, 'developer' as const, 'user' as const), content, name },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record(
    { role: fc.constant('assistant' as const), content, name, toolCalls: fc.array(toolCall, { maxLength: 3 }) },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record({
    role: fc.constant('tool' as const),
    content: fc.array(fc.record({ type: fc.constant('text' as const), text }), { minLength: 1, maxLength: 2 }),
    toolCallId: name,
  }),
);
const schema = fc.jsonValue({ maxDepth: 3 }).map((value) => ({ type: 'object', properties: { value } }));
const tool: fc.Arbitrary<Tool> = fc.record(
  { name, description: text, parameters: schema, strict: fc.boolean() },
  { requiredKeys: ['name'] },
);
const request: fc.Arbitrary<ChatRequest> = fc.record(
  {
    model: fc.constant('any'),
    messages: fc.array(message, { minLength: 1, maxLength: 40 }),
    tools: fc.array(tool, { minLength: 1, maxLength: 6 }),
    responseFormat: fc.oneof(
      fc.constant({ type: 'json_object' as const }),
      fc.record({ type: fc.constant('json_schema' as const), name, schema, strict: fc.boolean() }),
    ),
    maxOutputTokens: fc.integer({ min: 1, max: 8_192 }),
    n: fc.integer({ min: 1, max: 4 }),
    stream: fc.boolean(),
  },
  { requiredKeys: ['model', 'messages', 'stream'] },
);

const deployment = (upstreamModel: string, maxOutputTokens: number): Deployment => ({
  id: `sim/${upstreamModel}`,
  provider: 'openai',
  model: upstreamModel,
  upstreamModel,
  pricing: { inputPerMTok: '2000000000', outputPerMTok: '8000000000' },
  contextWindow: 1_000_000,
  maxOutputTokens,
});

/**
 * What the simulator bills for the request on the wire, producing `tokens` completion tokens of text
 * (JSON formats, tool calls and a reasoning model's thinking produce what they need) and never more
 * than `limit`, the deployment's maximum, as a provider enforces it.
 */
const billed = (chat: ChatRequest, upstreamModel: string, tokens: number, limit?: number) => {
  const mapped = toOpenAiRequest(chat, { model: upstreamModel, maxTokensField: 'max_completion_tokens' });
  const wire =
    limit === undefined
      ? mapped
      : { ...mapped, max_completion_tokens: Math.min(mapped.max_completion_tokens ?? limit, limit) };
  const plan = planCompletion(
    ChatCompletionRequest.parse(JSON.parse(JSON.stringify(wire))),
    parseScenario(`tokens=${tokens}`),
    {
      id: 'chatcmpl-bound',
      created: 0,
    },
  );
  return { inputTokens: plan.usage.prompt_tokens, outputTokens: plan.usage.completion_tokens };
};

describe('the reservation bound', () => {
  it('is at least what the provider bills and what a real tokenizer counts, for any request', () => {
    fc.assert(
      fc.property(request, fc.constantFrom(...MODELS), (chat, model) => {
        const bound = promptTokensBound(chat, model);
        expect(bound).toBeGreaterThanOrEqual(billed(chat, model, 0).inputTokens);
        expect(bound).toBeGreaterThanOrEqual(countInputTokens(chat, model));
        // The model-independent bound (the classifier's, for context windows) covers every model.
        expect(promptTokensBound(chat)).toBeGreaterThanOrEqual(bound);
      }),
      { numRuns: 300 },
    );
  });

  it('holds at least the cost settled for whatever the provider then produces', () => {
    fc.assert(
      fc.property(
        request,
        fc.constantFrom(...MODELS),
        fc.integer({ min: 1, max: 8_192 }),
        fc.integer({ min: 0, max: 8_192 }),
        (chat, model, maxOutputTokens, produced) => {
          const target = deployment(model, maxOutputTokens);
          // A provider never produces more than the deployment's maximum.
          const usage = billed(chat, model, produced, maxOutputTokens);
          expect(maxCallCost([target], intakeOf(chat))).toBeGreaterThanOrEqual(callCost(target.pricing, usage));
        },
      ),
      { numRuns: 300 },
    );
  });
});
