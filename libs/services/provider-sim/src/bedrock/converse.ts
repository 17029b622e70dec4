import type {
  BedrockConverseRequest,
  BedrockConverseResponse,
  BedrockResponseBlock,
  BedrockStopReason,
  BedrockStreamEvent,
  BedrockUsage,
} from '@polymux/wire';
import { encodeBedrockEvent } from '@polymux/wire';

import { INPUT_FRAGMENTS, THINKING_WORDS, fragments, textOf, thinkingSignature } from '../anthropic/message';
import { fakeObject } from '../fake-json';
import type { Scenario } from '../scenario';
import type { StreamFrame } from '../sse-writer';

/** Whether the simulator answers `modelId` as Claude (thinking, `top_k`, tool-result status). */
export const isClaude = (modelId: string): boolean => /anthropic\.claude/.test(modelId);

/** Everything about one answer the simulator decides before it answers. */
export interface ConversePlan {
  thinking?: { text: string[]; signature: string };
  /** The text, one piece a token. */
  text: string[];
  toolUse?: { toolUseId: string; name: string; input: Record<string, unknown> };
  stopReason: BedrockStopReason;
  usage: Required<{ [K in keyof BedrockUsage]: number }>;
  latencyMs: number;
}

type ToolSpec = Extract<
  NonNullable<BedrockConverseRequest['toolConfig']>['tools'][number],
  { toolSpec: unknown }
>['toolSpec'];

const toolSpecs = (request: BedrockConverseRequest): ToolSpec[] =>
  (request.toolConfig?.tools ?? []).flatMap((tool) => ('toolSpec' in tool ? [tool.toolSpec] : []));

/**
 * The tool the answer calls: with tools, the named tool (`tool`) or the first one (`any`, or
 * `auto` unless the last user turn already brings tool results, so that a tool loop ends with text).
 */
const calledTool = (request: BedrockConverseRequest): ToolSpec | undefined => {
  const tools = toolSpecs(request);
  const choice = request.toolConfig?.toolChoice ?? { auto: {} };
  if (tools.length === 0) return undefined;
  if ('tool' in choice) return tools.find((tool) => tool.name === choice.tool.name) ?? tools[0];
  const last = request.messages.at(-1);
  const answered = 'auto' in choice && last?.role === 'user' && last.content.some((block) => 'toolResult' in block);
  return answered ? undefined : tools[0];
};

const thinkingBudget = (request: BedrockConverseRequest): number | undefined => {
  const thinking = request.additionalModelRequestFields?.thinking as
    { type?: unknown; budget_tokens?: unknown } | undefined;
  return thinking?.type === 'enabled' && typeof thinking.budget_tokens === 'number'
    ? thinking.budget_tokens
    : undefined;
};

/**
 * The rules Bedrock (and the model behind it) checks beyond the shape of the body, as a message,
 * or undefined when the request is valid: roles alternating from a user turn, tool blocks only with
 * a tool configuration, every tool result answering a tool use of the turn before, a named tool
 * choice among the tools; for Claude, a thinking budget of at least 1024 below `maxTokens` and
 * reasoning sent back with the signature the simulator wrote; for other models, no Claude-only field.
 */
export const converseRuleViolation = (modelId: string, request: BedrockConverseRequest): string | undefined => {
  const claude = isClaude(modelId);
  const extra = request.additionalModelRequestFields ?? {};
  if (!claude) {
    const key = Object.keys(extra).find((name) => name === 'top_k' || name === 'thinking');
    if (key)
      return `Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
  }
  const budget = thinkingBudget(request);
  const maxTokens = request.inferenceConfig?.maxTokens ?? 4_096;
  if (budget !== undefined && (budget < 1_024 || budget >= maxTokens))
    return 'The model returned the following errors: `max_tokens` must be greater than `thinking.budget_tokens`, which must be at least 1024';
  const choice = request.toolConfig?.toolChoice;
  if (choice && 'tool' in choice && !toolSpecs(request).some((tool) => tool.name === choice.tool.name))
    return `The tool ${choice.tool.name} named by toolChoice is not among the tools.`;
  let offered = new Set<string>();
  for (const [position, message] of request.messages.entries()) {
    if (message.role !== (position % 2 === 0 ? 'user' : 'assistant'))
      return 'A conversation must start with a user message and alternate between user and assistant roles.';
    for (const block of message.content) {
      if (('toolUse' in block || 'toolResult' in block) && !request.toolConfig)
        return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
      if ('toolResult' in block && !offered.has(block.toolResult.toolUseId))
        return `messages.${position}: toolResult ${block.toolResult.toolUseId} answers no toolUse of the previous turn.`;
      if ('toolResult' in block && block.toolResult.status && !claude)
        return 'This model does not support the status field of a toolResult.';
      if ('reasoningContent' in block && !claude) return 'This model does not support reasoningContent blocks.';
      const reasoning = 'reasoningContent' in block ? block.reasoningContent : undefined;
      if (
        reasoning &&
        'reasoningText' in reasoning &&
        reasoning.reasoningText.signature !== thinkingSignature(reasoning.reasoningText.text)
      )
        return `messages.${position}: Invalid \`signature\` in \`thinking\` block`;
    }
    offered = new Set(message.content.flatMap((block) => ('toolUse' in block ? [block.toolUse.toolUseId] : [])));
  }
  return undefined;
};

export const planConverse = (
  modelId: string,
  request: BedrockConverseRequest,
  scenario: Scenario,
  input: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number },
  id: string,
): ConversePlan => {
  const maxTokens = request.inferenceConfig?.maxTokens ?? 4_096;
  const words =
    isClaude(modelId) && thinkingBudget(request) !== undefined
      ? THINKING_WORDS.slice(0, Math.min(THINKING_WORDS.length, maxTokens))
      : [];
  const thinking = words.length > 0 ? { text: words, signature: thinkingSignature(words.join('')) } : undefined;
  const usage = (output: number) => {
    const inputTokens = input.input_tokens;
    const total = inputTokens + input.cache_read_input_tokens + input.cache_creation_input_tokens + output;
    return {
      inputTokens,
      outputTokens: output,
      totalTokens: total,
      cacheReadInputTokens: input.cache_read_input_tokens,
      cacheWriteInputTokens: input.cache_creation_input_tokens,
    };
  };
  const latencyMs = 5 + scenario.latencyMs;
  const tool = calledTool(request);
  if (tool) {
    const value = fakeObject(tool.inputSchema.json, tool.name);
    const output = words.length + Math.ceil(JSON.stringify(value).length / 4);
    const toolUse = { toolUseId: `tooluse_${id}`, name: tool.name, input: value };
    return { thinking, text: [], toolUse, stopReason: 'tool_use', usage: usage(output), latencyMs };
  }
  const wanted = Math.min(scenario.tokens, Math.max(maxTokens - words.length, 0));
  const { pieces, stopSequence } = textOf(wanted, request.inferenceConfig?.stopSequences ?? []);
  const stopReason = stopSequence ? 'stop_sequence' : wanted < scenario.tokens ? 'max_tokens' : 'end_turn';
  return { thinking, text: pieces, stopReason, usage: usage(words.length + pieces.length), latencyMs };
};

const blocksOf = (plan: ConversePlan): BedrockResponseBlock[] => [
  ...(plan.thinking
    ? [
        {
          reasoningContent: {
            reasoningText: { text: plan.thinking.text.join(''), signature: plan.thinking.signature },
          },
        },
      ]
    : []),
  ...(plan.text.length > 0 ? [{ text: plan.text.join('') }] : []),
  ...(plan.toolUse ? [{ toolUse: plan.toolUse }] : []),
];

/** The body of a Converse answer. */
export const converseBody = (plan: ConversePlan): BedrockConverseResponse => ({
  output: { message: { role: 'assistant', content: blocksOf(plan) } },
  stopReason: plan.stopReason,
  usage: plan.usage,
  metrics: { latencyMs: plan.latencyMs },
});

/** Bedrock pads each event's payload with a `p` of varying length (so sizes reveal nothing); so does the simulator. */
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const frameOf = (event: BedrockStreamEvent, sequence: number, token = false): StreamFrame => ({
  bytes: encodeBedrockEvent(event, { p: PADDING.slice(0, 1 + (sequence % PADDING.length)) }),
  token,
});

/**
 * The frames of a ConverseStream answer, as Bedrock sends them: `messageStart`; reasoning as
 * `reasoningContent` text deltas then its signature; text one token a delta (no
 * `contentBlockStart` for either); a tool use's `contentBlockStart` with its id and name, then its
 * input in several fragments; each block's `contentBlockStop`; `messageStop` with the stop reason;
 * `metadata` with the usage and latency.
 */
export function* converseFrames(plan: ConversePlan): Generator<StreamFrame> {
  let sequence = 0;
  const next = (event: BedrockStreamEvent, token = false) => frameOf(event, (sequence += 1), token);
  yield next({ type: 'messageStart', payload: { role: 'assistant' } });
  let index = 0;
  const stop = () => next({ type: 'contentBlockStop', payload: { contentBlockIndex: index++ } });
  if (plan.thinking) {
    for (const word of plan.thinking.text)
      yield next(
        {
          type: 'contentBlockDelta',
          payload: { contentBlockIndex: index, delta: { reasoningContent: { text: word } } },
        },
        true,
      );
    const signature = plan.thinking.signature;
    yield next({
      type: 'contentBlockDelta',
      payload: { contentBlockIndex: index, delta: { reasoningContent: { signature } } },
    });
    yield stop();
  }
  if (plan.text.length > 0) {
    for (const piece of plan.text)
      yield next({ type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { text: piece } } }, true);
    yield stop();
  }
  if (plan.toolUse) {
    const { toolUseId, name, input } = plan.toolUse;
    yield next({
      type: 'contentBlockStart',
      payload: { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } },
    });
    for (const piece of fragments(JSON.stringify(input), INPUT_FRAGMENTS))
      yield next(
        { type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { toolUse: { input: piece } } } },
        true,
      );
    yield stop();
  }
  yield next({ type: 'messageStop', payload: { stopReason: plan.stopReason } });
  yield next({ type: 'metadata', payload: { usage: plan.usage, metrics: { latencyMs: plan.latencyMs } } });
}
