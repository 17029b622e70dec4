import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';

import type { SuiteRef } from './suite';
import { BEDROCK_CLAUDE, CLAUDE, GEMINI, GPT, NOVA, VERTEX_CLAUDE } from './suite';

/** Text of a LangChain message, whether its content is a string or content blocks. */
const textOf = (message: AIMessageChunk): string =>
  typeof message.content === 'string'
    ? message.content
    : message.content
        .flatMap((block) => (block.type === 'text' && 'text' in block ? [String(block.text)] : []))
        .join('');

/** LangChain JS's chat models pointed at the gateway: one smoke test each, invoke and stream. */
export const langChainCases = (suite: SuiteRef): void => {
  describe('LangChain JS', () => {
    const cases: Array<[string, () => BaseChatModel]> = [
      [
        `ChatOpenAI (configuration.baseURL) → ${CLAUDE}`,
        () =>
          new ChatOpenAI({
            model: CLAUDE,
            apiKey: suite().gateway.apiKey,
            maxRetries: 0,
            streamUsage: true,
            configuration: { baseURL: `${suite().gateway.stack.ingressUrl}/v1` },
          }),
      ],
      [
        `ChatOpenAI (configuration.baseURL) → ${GEMINI}`,
        () =>
          new ChatOpenAI({
            model: GEMINI,
            apiKey: suite().gateway.apiKey,
            maxRetries: 0,
            streamUsage: true,
            configuration: { baseURL: `${suite().gateway.stack.ingressUrl}/v1` },
          }),
      ],
      [
        `ChatAnthropic (anthropicApiUrl) → ${VERTEX_CLAUDE} on Vertex AI`,
        () =>
          new ChatAnthropic({
            model: VERTEX_CLAUDE,
            apiKey: suite().gateway.apiKey,
            maxRetries: 0,
            maxTokens: 256,
            anthropicApiUrl: suite().gateway.stack.ingressUrl,
          }),
      ],
      [
        `ChatAnthropic (anthropicApiUrl) → ${GPT}`,
        () =>
          new ChatAnthropic({
            model: GPT,
            apiKey: suite().gateway.apiKey,
            maxRetries: 0,
            maxTokens: 256,
            anthropicApiUrl: suite().gateway.stack.ingressUrl,
          }),
      ],
      [
        `ChatOpenAI (configuration.baseURL) → ${NOVA}`,
        () =>
          new ChatOpenAI({
            model: NOVA,
            apiKey: suite().gateway.apiKey,
            maxRetries: 0,
            streamUsage: true,
            configuration: { baseURL: `${suite().gateway.stack.ingressUrl}/v1` },
          }),
      ],
      [
        `ChatAnthropic (anthropicApiUrl) → ${BEDROCK_CLAUDE}`,
        () =>
          new ChatAnthropic({
            model: BEDROCK_CLAUDE,
            apiKey: suite().gateway.apiKey,
            maxRetries: 0,
            maxTokens: 256,
            anthropicApiUrl: suite().gateway.stack.ingressUrl,
          }),
      ],
    ];

    it.each(cases)('%s invokes and streams, with usage', async (_, create) => {
      const model = create();
      const answer = await model.invoke('Say hello.');
      expect(textOf(answer)).toMatch(/\S/);
      expect(answer.usage_metadata?.output_tokens).toBeGreaterThan(0);
      let streamed = '';
      let chunks = 0;
      let output = 0;
      for await (const chunk of await model.stream('Tell me a story.')) {
        chunks += 1;
        streamed += textOf(chunk);
        output += chunk.usage_metadata?.output_tokens ?? 0;
      }
      expect(chunks).toBeGreaterThan(1);
      expect(streamed).toMatch(/\S/);
      expect(output).toBeGreaterThan(0);
    });
  });
};
