import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';

import type { SuiteRef } from './suite';
import { CLAUDE, GEMINI, GPT } from './suite';

const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const textOf = (message: Anthropic.Message): string =>
  message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');

/**
 * Conversations that change provider mid-way: what each provider was given by the other must not
 * break it (a signed thinking block is Anthropic's alone; tool ids are each provider's own).
 */
export const crossProviderCases = (suite: SuiteRef): void => {
  describe('Cross-provider conversations', () => {
    const thinking = { type: 'enabled', budget_tokens: 1_024 } as const;

    it('continues a Claude conversation with a signed thinking block on gpt, then back on Claude', async () => {
      const anthropic = suite().anthropic;
      const question: Anthropic.MessageParam = { role: 'user', content: 'Why use a gateway?' };
      const claude = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 2_048,
        thinking,
        messages: [question],
      });
      expect(claude.content.map((block) => block.type)).toEqual(['thinking', 'text']);
      const history: Anthropic.MessageParam[] = [
        question,
        { role: 'assistant', content: claude.content },
        { role: 'user', content: 'And the costs?' },
      ];
      const { data: gpt, response } = await anthropic.messages
        .create({ model: GPT, max_tokens: 256, messages: history })
        .withResponse();
      expect(gpt.stop_reason).toBe('end_turn');
      // Chat Completions has no slot for an assistant turn's thinking: it is left out, and said so.
      expect(response.headers.get('x-polymux-dropped')).toBe('thinking');
      expect(textOf(gpt)).toMatch(/\S/);
      // Back on Claude, its own signed thinking block is still there, and still valid.
      const again = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 2_048,
        thinking,
        messages: [...history, { role: 'assistant', content: gpt.content }, { role: 'user', content: 'Thanks.' }],
      });
      expect(again.stop_reason).toBe('end_turn');
      expect(textOf(again)).toMatch(/\S/);
    });

    it('continues a Gemini thinking tool-call turn (Gemini signatures) on Claude, then back on Gemini', async () => {
      const anthropic = suite().anthropic;
      const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Oslo?' };
      const gemini = await anthropic.messages.create({
        model: GEMINI,
        max_tokens: 2_048,
        thinking,
        tools: [WEATHER],
        messages: [question],
      });
      expect(gemini.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
      const signed = gemini.content[0] as Anthropic.ThinkingBlock;
      expect(signed.signature).toMatch(/^gemini:/);
      const toolUse = gemini.content[1] as Anthropic.ToolUseBlock;
      const history: Anthropic.MessageParam[] = [
        question,
        { role: 'assistant', content: gemini.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'Snow' }] },
      ];
      // Claude is not sent Gemini's signed thinking (it would refuse it) but answers the tool result.
      const claude = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 2_048,
        thinking,
        tools: [WEATHER],
        messages: history,
      });
      expect(claude.stop_reason).toBe('end_turn');
      // Back on Gemini, its signature goes back on the call it came with, and the simulator checks it.
      const again = await anthropic.messages.create({
        model: GEMINI,
        max_tokens: 2_048,
        thinking,
        tools: [WEATHER],
        messages: history,
      });
      expect(again.stop_reason).toBe('end_turn');
      expect(textOf(again)).toMatch(/\S/);
    });

    it('continues a gpt tool-call turn (OpenAI tool ids) on Claude, through the Anthropic SDK', async () => {
      const anthropic = suite().anthropic;
      const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Rome?' };
      const gpt = await anthropic.messages.create({
        model: GPT,
        max_tokens: 256,
        tools: [WEATHER],
        messages: [question],
      });
      const toolUse = gpt.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
      expect(toolUse).toMatchObject({ name: 'get_weather' });
      const claude = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 256,
        tools: [WEATHER],
        messages: [
          question,
          { role: 'assistant', content: gpt.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.id, content: 'Sunny' }] },
        ],
      });
      expect(claude.stop_reason).toBe('end_turn');
      expect(textOf(claude)).toMatch(/\S/);
    });

    it('continues a Claude tool-call turn (Anthropic tool ids) on gpt, through the OpenAI SDK', async () => {
      const openai = suite().openai;
      const tools: OpenAI.ChatCompletionTool[] = [
        {
          type: 'function',
          function: { name: WEATHER.name, description: WEATHER.description, parameters: WEATHER.input_schema },
        },
      ];
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Lima?' }];
      const claude = await openai.chat.completions.create({ model: CLAUDE, messages, tools });
      const [call] = claude.choices[0].message.tool_calls ?? [];
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
      messages.push(claude.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"celsius": 18}' });
      const gpt = await openai.chat.completions.create({ model: GPT, messages, tools });
      expect(gpt.choices[0].finish_reason).toBe('stop');
      expect(gpt.choices[0].message.content).toMatch(/\S/);
    });
  });
};
