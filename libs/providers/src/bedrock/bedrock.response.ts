import type { ChatResponse, Choice, FinishReason, ReasoningPart, ToolCall, Usage } from '@polymux/contracts';
import type { BedrockConverseResponse, BedrockUsage } from '@polymux/wire';

import { JSON_TOOL } from '../anthropic/anthropic.request';
import type { ReadBack } from '../anthropic/anthropic.response';
import { usageWithCache } from '../usage';

export type { ReadBack };

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
  malformed_model_output: 'error',
  malformed_tool_use: 'error',
};

/** Bedrock's stop reason as canonical; an unknown one reads as `stop`. */
export const toFinishReason = (reason: string | null | undefined): FinishReason | null =>
  reason ? (STOP_REASONS[reason] ?? 'stop') : null;

/**
 * Bedrock's usage in OpenAI's convention: its `inputTokens` leaves out the tokens read from and
 * written to the cache (its `totalTokens` adds them), so they are added back and also reported on their own.
 */
export const toUsage = (usage: BedrockUsage): Usage =>
  usageWithCache(usage.inputTokens, usage.outputTokens, usage.cacheReadInputTokens, usage.cacheWriteInputTokens);

/**
 * A Converse answer as one canonical choice: text blocks joined, tool uses as tool calls with the
 * caller's names and ids (`JSON_TOOL`'s input as the content), reasoning blocks (with their
 * signatures) as its reasoning. Converse names no answer id or model: `id` is the adapter's own
 * (SDKs key a stream's chunks by it) and the model the deployment's.
 */
export const toChatResponse = (
  body: BedrockConverseResponse,
  readBack: ReadBack,
  model: string,
  id: string,
): ChatResponse => {
  let content = '';
  let answered = false;
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  for (const block of body.output.message.content) {
    if ('text' in block) {
      content += block.text;
      answered = true;
    } else if ('toolUse' in block) {
      const { toolUseId, name, input } = block.toolUse;
      if (readBack.jsonTool && name === JSON_TOOL) {
        content += JSON.stringify(input ?? {});
        answered = true;
      } else {
        const id = readBack.names.callerId(toolUseId);
        toolCalls.push({ id, name: readBack.names.callerName(name), arguments: JSON.stringify(input ?? {}) });
      }
    } else if ('reasoningContent' in block) {
      const part = block.reasoningContent;
      if ('reasoningText' in part) {
        const { text, signature } = part.reasoningText;
        reasoning.push(signature ? { type: 'thinking', text, signature } : { type: 'thinking', text });
      } else reasoning.push({ type: 'redacted_thinking', data: part.redactedContent });
    }
  }
  const emulatedJson = readBack.jsonTool && body.stopReason === 'tool_use' && toolCalls.length === 0;
  const choice: Choice = {
    index: 0,
    content: answered || toolCalls.length === 0 ? content : null,
    finishReason: emulatedJson ? 'stop' : toFinishReason(body.stopReason),
  };
  if (toolCalls.length > 0) choice.toolCalls = toolCalls;
  if (reasoning.length > 0) choice.reasoning = reasoning;
  return {
    id,
    model,
    created: Math.floor(Date.now() / 1000),
    choices: [choice],
    usage: body.usage ? toUsage(body.usage) : null,
    systemFingerprint: null,
  };
};
