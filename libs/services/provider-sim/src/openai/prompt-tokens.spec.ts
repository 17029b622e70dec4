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

  it('counts text parts and tool-call arguments, and 85 per image', () => {
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
    // 5 + 7 characters -> 3 tokens; 2 messages -> 6; one image -> 85.
    expect(tokens).toBe(3 + 6 + 85);
  });
});

describe('embeddingTokens', () => {
  it('is ceil(characters / 4) for text and the length of pre-tokenised input', () => {
    expect(embeddingTokens('hello')).toBe(2);
    expect(embeddingTokens([1, 2, 3])).toBe(3);
  });
});
