import type { ChatResponse, Choice, FinishReason, ReasoningPart, ToolCall, Usage } from '@polymux/contracts';

import type { ToolNames } from '../tool-names';
import { usageWithCache } from '../usage';
import { JSON_TOOL } from './anthropic.request';
import type { AnthropicResponse, AnthropicUsage } from '@polymux/wire';

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic's stop reason as canonical; an unknown one reads as `stop`. */
export const toFinishReason = (reason: string | null | undefined): FinishReason | null =>
  reason ? (STOP_REASONS[reason] ?? 'stop') : null;

/**
 * Anthropic's usage in OpenAI's convention: its `input_tokens` leaves out the tokens read from and
 * written to the cache, so they are added back and also reported on their own.
 */
export const toUsage = (usage: AnthropicUsage): Usage =>
  usageWithCache(
    usage.input_tokens,
    usage.output_tokens,
    usage.cache_read_input_tokens,
    usage.cache_creation_input_tokens,
  );

/** How one answer is read back: the call's renaming and whether `JSON_TOOL` stands for the content. */
export interface ReadBack {
  names: ToolNames;
  jsonTool: boolean;
}

const seconds = () => Math.floor(Date.now() / 1000);

/**
 * A non-streaming answer as one canonical choice: text blocks joined, tool uses as tool calls with
 * the caller's names and ids, thinking blocks (with their signatures) as its reasoning.
 */
export const toChatResponse = (body: AnthropicResponse, readBack: ReadBack, fallbackModel: string): ChatResponse => {
  let content = '';
  let answered = false;
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  for (const block of body.content ?? []) {
    switch (block.type) {
      case 'text':
        content += block.text;
        answered = true;
        break;
      case 'tool_use':
        if (readBack.jsonTool && block.name === JSON_TOOL) {
          content += JSON.stringify(block.input ?? {});
          answered = true;
        } else {
          toolCalls.push({
            id: readBack.names.callerId(block.id),
            name: readBack.names.callerName(block.name),
            arguments: JSON.stringify(block.input ?? {}),
          });
        }
        break;
      case 'thinking':
        reasoning.push({ type: 'thinking', text: block.thinking, signature: block.signature });
        break;
      case 'redacted_thinking':
        reasoning.push({ type: 'redacted_thinking', data: block.data });
        break;
    }
  }
  const emulatedJson = readBack.jsonTool && body.stop_reason === 'tool_use' && toolCalls.length === 0;
  const choice: Choice = {
    index: 0,
    content: answered || toolCalls.length === 0 ? content : null,
    finishReason: emulatedJson ? 'stop' : toFinishReason(body.stop_reason),
  };
  if (toolCalls.length > 0) choice.toolCalls = toolCalls;
  if (reasoning.length > 0) choice.reasoning = reasoning;
  if (body.stop_reason === 'stop_sequence' && body.stop_sequence) choice.stopSequence = body.stop_sequence;
  return {
    id: body.id ?? '',
    model: body.model ?? fallbackModel,
    created: seconds(),
    choices: [choice],
    usage: body.usage ? toUsage(body.usage) : null,
    systemFingerprint: null,
  };
};
