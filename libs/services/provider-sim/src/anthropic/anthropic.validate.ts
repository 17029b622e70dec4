import type { AnthropicMessagesRequest } from '@polymux/wire';
import type { z } from 'zod';

import { thinkingSignature } from './message';

/** The first problem of a failed parse, as Anthropic words it: `<field path>: <problem>`. */
export const describeAnthropicIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request';
  return issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
};

/**
 * The rules Anthropic checks beyond the shape of the body, as a message, or undefined when the
 * request is valid: the thinking budget below `max_tokens`, no forced tool, `temperature` other
 * than 1, `top_k` or `top_p` below 0.95 with thinking, a named
 * tool choice among the tools, thinking blocks sent back with the signature the simulator wrote,
 * and every tool result answering a tool use of the assistant turn right before it.
 */
export const anthropicRuleViolation = (request: AnthropicMessagesRequest): string | undefined => {
  const thinking = request.thinking?.type === 'enabled' ? request.thinking : undefined;
  if (thinking && thinking.budget_tokens >= request.max_tokens)
    return '`max_tokens` must be greater than `thinking.budget_tokens`.';
  const choice = request.tool_choice;
  if (thinking && (choice?.type === 'any' || choice?.type === 'tool'))
    return 'Thinking may not be enabled when tool_choice forces tool use.';
  if (thinking && request.temperature !== undefined && request.temperature !== 1)
    return '`temperature` may only be set to 1 when thinking is enabled.';
  if (thinking && request.top_k !== undefined) return '`top_k` may not be set when thinking is enabled.';
  if (thinking && request.top_p !== undefined && request.top_p < 0.95)
    return '`top_p` must be between 0.95 and 1 when thinking is enabled.';
  if (choice?.type === 'tool' && !request.tools?.some((tool) => tool.name === choice.name))
    return `tool_choice: tool ${choice.name} is not among the tools.`;
  let offered = new Set<string>();
  for (const [position, message] of request.messages.entries()) {
    const blocks = typeof message.content === 'string' ? [] : message.content;
    for (const [index, block] of blocks.entries()) {
      if (block.type === 'thinking' && block.signature !== thinkingSignature(block.thinking))
        return `messages.${position}.content.${index}: Invalid \`signature\` in \`thinking\` block`;
      if (block.type === 'tool_result' && !offered.has(block.tool_use_id))
        return `messages.${position}.content.${index}: unexpected \`tool_use_id\` found in \`tool_result\` blocks. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    offered = new Set(blocks.flatMap((block) => (block.type === 'tool_use' ? [block.id] : [])));
  }
  return undefined;
};
