import { embeddingTokens, promptTokens } from './prompt-tokens';

describe('promptTokens', () => {
  it('is ceil(characters / 4) + 3 per message', () => {
    expect(promptTokens([{ role: 'user', content: 'hello' }])).toBe(2 + 3);
    expect(
      promptTokens([
        { role: 'system', content: 'abcd' },
        { role: 'user', content: 'abcdefgh' },
      ]),
    ).toBe(3 + 6);
  });

  it('counts names, tool definitions and a json_schema response format', () => {
    const messages = [{ role: 'user' as const, content: 'abcd', name: 'ab' }];
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    const format = { type: 'json_schema' as const, json_schema: { name: 's' } };
    const toolsJson = JSON.stringify(tools).length;
    const formatJson = JSON.stringify(format.json_schema).length;
    expect(promptTokens(messages, { tools, response_format: format })).toBe(
      Math.ceil((4 + 2 + toolsJson + formatJson) / 4) + 3 + 1 + 8,
    );
  });

  it('bills images by OpenAI’s rules for the model: low detail the base, a link the largest grid', () => {
    const image = (detail: 'low' | 'high') => [
      {
        role: 'user' as const,
        content: [{ type: 'image_url' as const, image_url: { url: 'https://x.test/a.png', detail } }],
      },
    ];
    expect(promptTokens(image('low'), { model: 'gpt-4o' })).toBe(3 + 85);
    expect(promptTokens(image('high'), { model: 'gpt-4o' })).toBe(3 + 85 + 170 * 8);
  });

  it('counts text parts and tool-call names and arguments, and images by the largest rule without a model', () => {
    const tokens = promptTokens([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'abc' },
          { type: 'image_url', image_url: { url: 'https://example.test/cat.png' } },
          { type: 'text', text: 'de' },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
      },
    ]);
    // 5 + 6 + 7 characters -> 5 tokens; 2 messages -> 6; a link of unknown size on no known model
    // -> the largest rule (gpt-4o-mini's high detail grid of 8 tiles).
    expect(tokens).toBe(5 + 6 + 2_833 + 5_667 * 8);
  });

  it('counts an inline file as the characters of its data, an uploaded one as nothing', () => {
    const file = (part: { file_data?: string; file_id?: string }) => [
      { role: 'user' as const, content: [{ type: 'file' as const, file: part }] },
    ];
    expect(promptTokens(file({ file_data: 'data:application/pdf;base64,JVBERi0=' }))).toBe(Math.ceil(36 / 4) + 3);
    expect(promptTokens(file({ file_id: 'file-1' }))).toBe(3);
  });
});

describe('embeddingTokens', () => {
  it('is ceil(characters / 4) for text and the length of pre-tokenised input', () => {
    expect(embeddingTokens('hello')).toBe(2);
    expect(embeddingTokens([1, 2, 3])).toBe(3);
  });
});
