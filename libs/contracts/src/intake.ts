import type { ChatRequest } from './canonical/chat';
import type { RequestSignals } from './canonical/task';
import type { Intake } from './messages/plan.message';
import { INTAKE_SAMPLE_CHARS } from './messages/plan.message';
import { imagesBound, promptShape } from './tokens/prompt-bound';

/** The edge's guess of a text's tokens, without a tokenizer: four characters a token. */
export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

/** Framing tokens per message (role, separators) in the estimate. */
const MESSAGE_OVERHEAD_TOKENS = 8;
const HALF_SAMPLE = Math.floor(INTAKE_SAMPLE_CHARS / 2);

const textOf = (parts: ChatRequest['messages'][number]['content']): string =>
  parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

/** The instruction sits at the start or the end of a prompt: the last user turn's head and tail. */
const sampleOf = (request: ChatRequest, allText: string): string => {
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  const text = lastUser ? textOf(lastUser.content) : '';
  if (text === '') return allText.slice(-(INTAKE_SAMPLE_CHARS - 1));
  return text.length >= INTAKE_SAMPLE_CHARS ? `${text.slice(0, HALF_SAMPLE)}\n${text.slice(-HALF_SAMPLE)}` : text;
};

/**
 * What travels for planning instead of the request (see `Intake`): cheap, deterministic, and the
 * only content in it is the bounded sample, which never leaves memory.
 */
export const intakeOf = (request: ChatRequest): Intake => {
  const text = request.messages.map((message) => textOf(message.content)).join('\n');
  const prompt = promptShape(request);
  const images = prompt.images.length;
  const toolBytes = request.tools ? Buffer.byteLength(JSON.stringify(request.tools)) : 0;
  const toolCallBytes = request.messages
    .flatMap((message) => message.toolCalls ?? [])
    .reduce((sum, call) => sum + Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments), 0);
  const framing = request.messages.length * MESSAGE_OVERHEAD_TOKENS;
  const estimatedInputTokens =
    estimateTokens(text.length) + estimateTokens(toolBytes + toolCallBytes) + framing + images * 1_000;
  const complexity: RequestSignals['complexity'] =
    estimatedInputTokens > 4_000 || (request.tools?.length ?? 0) > 5
      ? 'high'
      : estimatedInputTokens > 500
        ? 'medium'
        : 'low';
  return {
    model: request.model,
    sample: sampleOf(request, text),
    signals: {
      estimatedInputTokens,
      textChars: text.length,
      // Model-independent: images at the largest rule of any model (the reservation bounds per deployment).
      inputTokensUpperBound: prompt.tokens + imagesBound(prompt, undefined),
      messageCount: request.messages.length,
      hasTools: (request.tools?.length ?? 0) > 0 && request.toolChoice !== 'none',
      hasImages: images > 0,
      hasResponseFormat: request.responseFormat !== undefined && request.responseFormat.type !== 'text',
      hasCodeFence: text.includes('```'),
      complexity,
    },
    prompt,
    ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
    ...(request.n !== undefined ? { n: request.n } : {}),
  };
};
