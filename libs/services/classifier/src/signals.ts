import type { ChatRequest, RequestSignals } from '@polymux/contracts';
import { promptTokensBound } from '@polymux/contracts';

/** Framing tokens per message (role, separators). */
const MESSAGE_OVERHEAD_TOKENS = 8;

const textOf = (request: ChatRequest): string =>
  request.messages
    .flatMap((message) => message.content)
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n');

/** Structural facts about a request; cheap, deterministic, content never leaves the process. */
export const extractSignals = (request: ChatRequest): RequestSignals & { lastUserText: string; text: string } => {
  const text = textOf(request);
  const images = request.messages.flatMap((message) => message.content).filter((part) => part.type === 'image').length;
  const toolBytes = request.tools ? Buffer.byteLength(JSON.stringify(request.tools)) : 0;
  const toolCallBytes = request.messages
    .flatMap((message) => message.toolCalls ?? [])
    .reduce((sum, call) => sum + Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments), 0);
  const framing = request.messages.length * MESSAGE_OVERHEAD_TOKENS;
  const estimatedInputTokens = Math.ceil((text.length + toolBytes + toolCallBytes) / 4) + framing + images * 1_000;
  // Model-independent: images at the largest rule of any model (ingress bounds per deployment).
  const inputTokensUpperBound = promptTokensBound(request);
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const lastUserText = lastUser
    ? lastUser.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')
    : '';
  const complexity =
    estimatedInputTokens > 4_000 || (request.tools?.length ?? 0) > 5
      ? 'high'
      : estimatedInputTokens > 500
        ? 'medium'
        : 'low';
  return {
    estimatedInputTokens,
    inputTokensUpperBound,
    messageCount: request.messages.length,
    hasTools: (request.tools?.length ?? 0) > 0 && request.toolChoice !== 'none',
    hasImages: images > 0,
    hasResponseFormat: request.responseFormat !== undefined && request.responseFormat.type !== 'text',
    hasCodeFence: /```/.test(text),
    complexity,
    lastUserText,
    text,
  };
};
