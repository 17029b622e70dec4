import type { ChatRequest, ContentPart, Message, Tool } from '@polymux/contracts';
import { toOpenAiRequest } from '@polymux/providers';
import fc from 'fast-check';

import { parseChatCompletionBody } from './chat-completion.schema';
import { fromChatCompletionBody } from './openai-request.mapper';

/*
 * The OpenAI adapter's encoder and the Chat Completions decoder are inverses on what Chat
 * Completions carries: a canonical request sent as an OpenAI body (through JSON, as on the wire) and
 * read back as an inbound body is the request again — messages, names, images, documents, tool calls
 * and results, tools, tool choice, response format and every sampling parameter. Not generated, as
 * OpenAI has no slot for them: thinking parts, cache breakpoints, `topK`, a document's title, a
 * reasoning budget (sent as the nearest effort) and `extra`.
 */

const text = fc.string({ maxLength: 40 });
const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
/** Hundredths, so that every value survives JSON exactly (no -0, no long binary fractions). */
const hundredths = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((n) => n / 100);

const textPart = text.map((value): ContentPart => ({ type: 'text', text: value }));
const imagePart = fc
  .record(
    {
      url: fc.constantFrom('https://example.test/cat.png', 'data:image/png;base64,iVBORw0KGgo='),
      detail: fc.constantFrom('auto' as const, 'low' as const, 'high' as const),
    },
    { requiredKeys: ['url'] },
  )
  .map((image): ContentPart => ({ type: 'image', ...image }));
const documentPart = fc
  .record(
    {
      mediaType: fc.constantFrom('application/pdf', 'text/plain'),
      data: fc.base64String({ minLength: 4, maxLength: 16 }),
      filename: fc.stringMatching(/^[a-z]{1,8}\.(pdf|txt)$/),
    },
    { requiredKeys: ['mediaType', 'data'] },
  )
  .map(({ mediaType, data, filename }): ContentPart => ({
    type: 'document',
    url: `data:${mediaType};base64,${data}`,
    mediaType,
    ...(filename === undefined ? {} : { filename }),
  }));

const withName = (message: Message, value: string | undefined): Message =>
  value === undefined ? message : { ...message, name: value };

const instruction = fc
  .tuple(fc.constantFrom('system' as const, 'developer' as const), fc.array(textPart, { minLength: 1, maxLength: 3 }))
  .chain(([role, content]) => fc.option(name, { nil: undefined }).map((n) => withName({ role, content }, n)));
const user = fc
  .array(fc.oneof(textPart, imagePart, documentPart), { minLength: 1, maxLength: 4 })
  .chain((content) => fc.option(name, { nil: undefined }).map((n) => withName({ role: 'user', content }, n)));
const toolCall = fc.record({ id: name.map((id) => `call_${id}`), name, arguments: text });
const assistant = fc
  .record({
    content: fc.array(textPart, { maxLength: 3 }),
    toolCalls: fc.array(toolCall, { maxLength: 3 }),
  })
  .map(({ content, toolCalls }): Message => {
    // An assistant turn says something or calls something: an empty one reads back as one empty text.
    if (toolCalls.length === 0)
      return { role: 'assistant', content: content.length ? content : [{ type: 'text', text: '' }] };
    return { role: 'assistant', content, toolCalls };
  });
const toolResult = fc
  .record({ toolCallId: name.map((id) => `call_${id}`), content: fc.array(textPart, { minLength: 1, maxLength: 2 }) })
  .map(({ toolCallId, content }): Message => ({ role: 'tool', content, toolCallId }));

const tool = fc
  .record(
    {
      name,
      description: text,
      parameters: fc.constantFrom(
        { type: 'object' },
        { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
      ),
      strict: fc.boolean(),
    },
    { requiredKeys: ['name'] },
  )
  .map((value): Tool => value);

const request = fc
  .record(
    {
      model: fc.constantFrom('gpt-4.1-mini', 'o4-mini'),
      messages: fc.array(fc.oneof(instruction, user, assistant, toolResult), { minLength: 1, maxLength: 6 }),
      tools: fc.array(tool, { minLength: 1, maxLength: 3 }),
      toolChoice: fc.oneof(
        fc.constantFrom('auto' as const, 'none' as const, 'required' as const),
        name.map((n) => ({ name: n })),
      ),
      parallelToolCalls: fc.boolean(),
      responseFormat: fc.oneof(
        fc.constant({ type: 'text' as const }),
        fc.constant({ type: 'json_object' as const }),
        fc.record(
          {
            type: fc.constant('json_schema' as const),
            name,
            schema: fc.constant({ type: 'object' }),
            strict: fc.boolean(),
          },
          { requiredKeys: ['type', 'name'] },
        ),
      ),
      maxOutputTokens: fc.integer({ min: 1, max: 100_000 }),
      temperature: hundredths(0, 2),
      topP: hundredths(0, 1),
      reasoning: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high').map((effort) => ({ effort })),
      stop: fc.array(text, { maxLength: 4 }),
      seed: fc.integer(),
      n: fc.integer({ min: 1, max: 8 }),
      logprobs: fc.constant(true),
      topLogprobs: fc.integer({ min: 0, max: 20 }),
      presencePenalty: hundredths(-2, 2),
      frequencyPenalty: hundredths(-2, 2),
      user: fc.stringMatching(/^[\w .@-]{0,40}$/),
      stream: fc.boolean(),
    },
    { requiredKeys: ['model', 'messages', 'stream'] },
  )
  // top_logprobs needs logprobs; logprobs alone is fine.
  .map(
    (value): ChatRequest =>
      (value.logprobs === undefined ? { ...value, topLogprobs: undefined } : value) as ChatRequest,
  );

describe('canonical → OpenAI body → Chat Completions decoder', () => {
  it('is the identity on every field Chat Completions carries', () => {
    fc.assert(
      fc.property(request, (canonical) => {
        const wire: unknown = JSON.parse(
          JSON.stringify(
            toOpenAiRequest(canonical, {
              model: canonical.model,
              maxTokensField: canonical.model.startsWith('o') ? 'max_completion_tokens' : 'max_tokens',
            }),
          ),
        );
        const decoded = fromChatCompletionBody(parseChatCompletionBody(wire));
        // A streamed call always asks for usage upstream, so the decoder reads it back as asked for.
        expect(decoded).toEqual({ ...canonical, includeUsage: canonical.stream });
      }),
      { numRuns: 500 },
    );
  });
});
