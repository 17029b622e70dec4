import type { ChatRequest } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import { GeminiGenerateContentRequest } from '@polymux/wire';

import { tagSignature } from '../thought-signature';
import functionCall from './fixtures/function-call.json';
import thinking from './fixtures/thinking-max-tokens.json';
import { toGeminiRequest } from './gemini.request';

const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const text = (value: string) => ({ type: 'text' as const, text: value });
const base: ChatRequest = { model: 'gemini-2.5-flash', stream: false, messages: [] };

describe('toGeminiRequest', () => {
  it('writes the recorded function-calling request of Google’s SDK from the same conversation', () => {
    const { body } = toGeminiRequest({
      ...base,
      messages: [
        { role: 'user', content: [text('what is the result of 100/2')] },
        {
          role: 'assistant',
          content: [],
          toolCalls: [{ id: 'call_1', name: 'customDivide', arguments: '{"denominator":2,"numerator":100}' }],
        },
        { role: 'user', content: [text('what is the result of 50/2?')] },
      ],
      tools: [
        {
          name: 'customDivide',
          description: 'Custom divide function',
          parameters: {
            type: 'object',
            properties: { denominator: { type: 'number' }, numerator: { type: 'number' } },
            additionalProperties: false,
          },
        },
      ],
    });
    // Google's SDK sends an empty generationConfig; the adapter sends none.
    expect({ generationConfig: {}, ...body }).toEqual(functionCall.request);
    expect(GeminiGenerateContentRequest.safeParse(body).success).toBe(true);
  });

  it('writes the recorded thinking request: budget, output limit, one candidate', () => {
    const { body } = toGeminiRequest({
      ...base,
      messages: [{ role: 'user', content: [text('why is the sky blue?')] }],
      n: 1,
      maxOutputTokens: 200,
      reasoning: { budgetTokens: 50 },
    });
    expect(body.contents).toEqual(thinking.request.contents);
    expect(body.generationConfig).toEqual({
      ...thinking.request.generationConfig,
      thinkingConfig: { thinkingBudget: 50, includeThoughts: true },
    });
  });

  it('maps system, images, documents, sampling, stop sequences, JSON schema and tool choice', () => {
    const { body } = toGeminiRequest({
      ...base,
      messages: [
        { role: 'system', content: [text('Be brief.')] },
        { role: 'developer', content: [text('Use metric units.')] },
        {
          role: 'user',
          content: [
            text('Describe'),
            { type: 'image', url: `data:image/png;base64,${PIXEL}` },
            { type: 'image', url: 'gs://bucket/cat.jpeg' },
            { type: 'document', url: 'data:text/plain,hello%20world', mediaType: 'text/plain' },
          ],
        },
      ],
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      stop: ['END'],
      n: 2,
      responseFormat: {
        type: 'json_schema',
        name: 'city',
        schema: { type: 'object', properties: { name: { type: ['string', 'null'] } }, required: ['name'] },
      },
      tools: [{ name: '1st-tool', parameters: { type: 'object' } }],
      toolChoice: { name: '1st-tool' },
      reasoning: { effort: 'none' },
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Use metric units.' }] });
    expect(body.contents[0]?.parts).toEqual([
      { text: 'Describe' },
      { inlineData: { mimeType: 'image/png', data: PIXEL } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'gs://bucket/cat.jpeg' } },
      { inlineData: { mimeType: 'text/plain', data: Buffer.from('hello world').toString('base64') } },
    ]);
    const declared = body.tools?.[0]?.functionDeclarations?.[0];
    // A name starting with a digit is renamed (Gemini wants a letter or `_` first), no OBJECT without properties.
    expect(declared?.name).toMatch(/^_st-tool_[0-9a-f]{8}$/);
    expect(declared?.parameters).toBeUndefined();
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [declared?.name] } });
    expect(body.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      stopSequences: ['END'],
      candidateCount: 2,
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'OBJECT',
        properties: { name: { type: 'STRING', nullable: true } },
        required: ['name'],
      },
      thinkingConfig: { thinkingBudget: 0 },
    });
    expect(GeminiGenerateContentRequest.safeParse(body).success).toBe(true);
  });

  it('sends tool results under the name of the call they answer, merged in one user turn, errors as error', () => {
    const { body } = toGeminiRequest({
      ...base,
      messages: [
        { role: 'user', content: [text('Weather in Paris and Rome?')] },
        {
          role: 'assistant',
          content: [],
          toolCalls: [
            { id: 'a', name: 'weather', arguments: '{"city":"Paris"}' },
            { id: 'b', name: 'forecast', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', toolCallId: 'a', content: [text('sunny')] },
        { role: 'tool', toolCallId: 'b', content: [text('no data')], isError: true },
      ],
    });
    expect(body.contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(body.contents[2]?.parts).toEqual([
      { functionResponse: { name: 'weather', response: { output: 'sunny' } } },
      { functionResponse: { name: 'forecast', response: { error: 'no data' } } },
    ]);
  });

  it('sends back Gemini’s own thought signatures on the first call or last text, never another provider’s', () => {
    const gemini = (signature: string) => ({
      type: 'thinking' as const,
      text: '',
      signature: tagSignature('gemini', signature),
    });
    const { body } = toGeminiRequest({
      ...base,
      messages: [
        { role: 'user', content: [text('q')] },
        {
          role: 'assistant',
          content: [{ type: 'thinking', text: 'hmm', signature: 'anthropic-base64sig' }, gemini('SIG1')],
          toolCalls: [
            { id: 'a', name: 'weather', arguments: '{}' },
            { id: 'b', name: 'weather', arguments: '{"city":"Rome"}' },
          ],
        },
        { role: 'tool', toolCallId: 'a', content: [text('1')] },
        { role: 'tool', toolCallId: 'b', content: [text('2')] },
        { role: 'assistant', content: [text('Sunny '), text('both.'), gemini('SIG2')] },
        { role: 'user', content: [text('thanks')] },
      ],
    });
    expect(body.contents[1]?.parts).toEqual([
      { functionCall: { name: 'weather', args: {} }, thoughtSignature: 'SIG1' },
      { functionCall: { name: 'weather', args: { city: 'Rome' } } },
    ]);
    expect(body.contents[3]?.parts).toEqual([{ text: 'Sunny ' }, { text: 'both.', thoughtSignature: 'SIG2' }]);
  });

  it.each([
    ['an http image URL', { type: 'image' as const, url: 'https://example.com/cat.png' }, /cannot fetch image URLs/],
    [
      'an http document URL',
      { type: 'document' as const, url: 'https://example.com/a.pdf', mediaType: 'application/pdf' },
      /cannot fetch document URLs/,
    ],
  ])('refuses %s with a clear InvalidRequest', (_what, part, message) => {
    const request = { ...base, messages: [{ role: 'user' as const, content: [part] }] };
    expect(() => toGeminiRequest(request)).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidRequest, message: expect.stringMatching(message) }),
    );
  });

  it('refuses a tool result that answers no call, and more than 5 stop sequences', () => {
    const orphan = { ...base, messages: [{ role: 'tool' as const, toolCallId: 'x', content: [text('1')] }] };
    expect(() => toGeminiRequest(orphan)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
    const stops = {
      ...base,
      messages: [{ role: 'user' as const, content: [text('q')] }],
      stop: ['a', 'b', 'c', 'd', 'e', 'f'],
    };
    expect(() => toGeminiRequest(stops)).toThrow(/at most 5 stop sequences/);
  });
});
