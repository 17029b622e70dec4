import type { ChatResponse, Choice, FinishReason, ReasoningPart, ToolCall, Usage } from '@polymux/contracts';
import type {
  GeminiCandidate,
  GeminiFinishReason,
  GeminiFunctionCall,
  GeminiGenerateContentResponse,
  GeminiUsageMetadata,
} from '@polymux/wire';
import { createHash } from 'node:crypto';

import type { ToolNames } from '../tool-names';
import { tagSignature } from '../thought-signature';
import { GEMINI_SIGNATURE } from './gemini.request';

/** Finish reasons that mean Google's filters stopped the answer. */
const FILTERED: ReadonlySet<string> = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
]);
const FAILED: ReadonlySet<string> = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

/**
 * Gemini's finish reason as canonical: `STOP` with function calls is `tool_calls` (Gemini says
 * `STOP` either way), `MAX_TOKENS` is `length`, a filter's stop `content_filter`, a malformed or
 * unexpected call `error`; any other reason reads as `stop`.
 */
export const toFinishReason = (
  reason: GeminiFinishReason | string | undefined,
  calledTools: boolean,
): FinishReason | null => {
  if (!reason) return null;
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  if (FAILED.has(reason)) return 'error';
  return calledTools ? 'tool_calls' : 'stop';
};

/** Whether a finish reason is one of Google's filters. */
export const isFiltered = (reason: string | undefined): boolean => reason !== undefined && FILTERED.has(reason);

/** What the caller is told when Google's filters stopped an answer or blocked the prompt. */
export const refusalOf = (reason: string): string => `Gemini's safety filters stopped the answer (${reason})`;

/**
 * Gemini's usage in the canonical convention: `promptTokenCount` already includes the cached
 * tokens (also reported on their own) and the tool-use prompt is input too; thoughts are output,
 * reported apart from `candidatesTokenCount`, so they are added to it and also reported as reasoning.
 */
export const toUsage = (usage: GeminiUsageMetadata): Usage => {
  const result: Usage = {
    inputTokens: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0),
    outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
  };
  if (usage.cachedContentTokenCount != null) result.cachedInputTokens = usage.cachedContentTokenCount;
  if (usage.thoughtsTokenCount != null) result.reasoningTokens = usage.thoughtsTokenCount;
  return result;
};

/**
 * An id for a function call, which Gemini does not give: stable for the same call of the same
 * answer (a hash of the answer's id, the candidate, the call's position, name and arguments), so the
 * result the caller sends back under it is sent to Gemini under the call's name, in order.
 */
export const callId = (responseId: string, candidate: number, position: number, call: GeminiFunctionCall): string =>
  `call_${createHash('sha256')
    .update(
      `${responseId}\u0000${candidate}\u0000${position}\u0000${call.name}\u0000${JSON.stringify(call.args ?? {})}`,
    )
    .digest('base64url')
    .slice(0, 24)}`;

const seconds = () => Math.floor(Date.now() / 1000);

/**
 * One candidate as a canonical choice: its texts joined, its function calls as tool calls (with
 * generated ids and the caller's names), thought summaries as reasoning and every thought
 * signature as a tagged signature. A signature closes the thought it directly follows — on that
 * thought, on an empty thought part after it, or on the part right after it — and is otherwise a
 * reasoning part of its own (as `GeminiStreamDecoder` reads the same parts, so that a caller sees
 * the same answer streamed or not).
 */
const toChoice = (candidate: GeminiCandidate, position: number, responseId: string, names: ToolNames): Choice => {
  let content = '';
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  const index = candidate.index ?? position;
  /** The thought the parts read so far end with, while unsigned. */
  let open: Extract<ReasoningPart, { type: 'thinking' }> | undefined;
  for (const part of candidate.content?.parts ?? []) {
    if (part.thought && part.text) {
      open = { type: 'thinking', text: part.text };
      reasoning.push(open);
    } else if (part.text !== undefined && !part.thought) content += part.text;
    else if (part.functionCall) {
      const call = part.functionCall;
      toolCalls.push({
        id: callId(responseId, index, toolCalls.length, call),
        name: names.callerName(call.name),
        arguments: JSON.stringify(call.args ?? {}),
      });
    }
    if (part.thoughtSignature) {
      const signature = tagSignature(GEMINI_SIGNATURE, part.thoughtSignature);
      if (open) open.signature = signature;
      else reasoning.push({ type: 'thinking', text: '', signature });
      open = undefined;
    }
    // Written output ends the thought (an empty text part writes nothing).
    if (!part.thought && (part.text || part.functionCall)) open = undefined;
  }
  const reason = candidate.finishReason;
  const choice: Choice = {
    index,
    content: content !== '' || toolCalls.length === 0 ? content : null,
    finishReason: toFinishReason(reason, toolCalls.length > 0),
  };
  if (isFiltered(reason) && content === '' && toolCalls.length === 0) {
    choice.content = null;
    choice.refusal = refusalOf(reason as string);
  }
  if (toolCalls.length > 0) choice.toolCalls = toolCalls;
  if (reasoning.length > 0) choice.reasoning = reasoning;
  return choice;
};

/**
 * A `generateContent` answer as canonical: one choice per candidate; a prompt Google blocked
 * (`promptFeedback.blockReason`, no candidates) is one refusal ending in `content_filter`.
 */
export const toChatResponse = (
  body: GeminiGenerateContentResponse,
  names: ToolNames,
  fallbackModel: string,
): ChatResponse => {
  const responseId = body.responseId ?? '';
  const candidates = body.candidates ?? [];
  const blocked = body.promptFeedback?.blockReason;
  const choices =
    candidates.length === 0 && blocked
      ? [{ index: 0, content: null, refusal: refusalOf(blocked), finishReason: 'content_filter' as const }]
      : candidates.map((candidate, position) => toChoice(candidate, position, responseId, names));
  return {
    id: responseId,
    model: body.modelVersion ?? fallbackModel,
    created: seconds(),
    choices: choices.sort((a, b) => a.index - b.index),
    usage: body.usageMetadata ? toUsage(body.usageMetadata) : null,
    systemFingerprint: null,
  };
};
