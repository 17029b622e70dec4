import type { FinishReason, ReasoningPart, Usage } from '@polymux/contracts';
import type { GeminiFinishReason, GeminiGenerateContentResponse, GeminiPart, GeminiUsageMetadata } from '@polymux/wire';

import type { Answer, Cuts } from './provider-wire';

/**
 * Gemini's answers of a canonical one, complete and streamed, written from Google's documentation
 * (like provider-wire.ts): thought summaries are `thought: true` parts; function calls have no ids;
 * usage counts the cache inside `promptTokenCount` and thoughts apart from `candidatesTokenCount`;
 * no cache writes and no matched stop sequence. Each thought's signature rides on that thought,
 * but the last one's goes where `Cuts.signature` says, and a signature without thought text (a
 * model asked for no thoughts) on the first function call, else on the last text part, which a
 * stream sends last of all, alone with an empty text (as Gemini's streaming documentation warns).
 */

const FINISH: Record<Exclude<FinishReason, 'error'>, GeminiFinishReason> = {
  stop: 'STOP',
  tool_calls: 'STOP',
  length: 'MAX_TOKENS',
  content_filter: 'SAFETY',
};

/** What Gemini can say of `answer`: with `cuts.bare`, its last thought signed but not shown. */
export const geminiSays = (answer: Answer, cuts: Cuts): Answer => {
  const choice = answer.choices[0]!;
  const reasoning = choice.reasoning ?? [];
  if (!cuts.bare || reasoning.length === 0) return answer;
  const last = reasoning.at(-1)!;
  const bare: ReasoningPart = last.type === 'thinking' ? { ...last, text: '' } : last;
  return { ...answer, choices: [{ ...choice, reasoning: [...reasoning.slice(0, -1), bare] }] };
};

const usageOf = (usage: Usage): GeminiUsageMetadata => ({
  promptTokenCount: usage.inputTokens,
  candidatesTokenCount: usage.outputTokens - (usage.reasoningTokens ?? 0),
  totalTokenCount: usage.inputTokens + usage.outputTokens,
  ...(usage.cachedInputTokens === undefined ? {} : { cachedContentTokenCount: usage.cachedInputTokens }),
  ...(usage.reasoningTokens === undefined ? {} : { thoughtsTokenCount: usage.reasoningTokens }),
});

/** The parts of `answer`: a stream's thoughts and texts in the pieces `cuts` cuts them into, a complete answer's thoughts whole. */
const partsOf = (
  answer: Answer,
  upstreamName: (name: string) => string,
  cuts: Cuts,
  streamed: boolean,
): GeminiPart[] => {
  const choice = answer.choices[0]!;
  const thoughts = (choice.reasoning ?? []).flatMap((part) => (part.type === 'thinking' ? [part] : []));
  const shown = thoughts.filter((part) => part.text !== '');
  const bare = thoughts.find((part) => part.text === '')?.signature;
  const parts: GeminiPart[] = [];
  /** The last shown thought's signature, for the part written next (`next`). */
  let pending: string | undefined;
  shown.forEach((thought, index) => {
    const texts = streamed ? (cuts.thinking[index] ?? []) : [thought.text];
    // The last thought's signature moves, unless a bare signature comes after it.
    const placement = index === shown.length - 1 && !bare ? cuts.signature : 'thought';
    texts.forEach((text, at) =>
      parts.push({
        text,
        thought: true,
        ...(placement === 'thought' && at === texts.length - 1 ? { thoughtSignature: thought.signature } : {}),
      }),
    );
    if (placement === 'emptyThought') parts.push({ text: '', thought: true, thoughtSignature: thought.signature });
    if (placement === 'next') pending = thought.signature;
  });
  const sign = (part: GeminiPart): GeminiPart => {
    const signature = pending;
    pending = undefined;
    return signature ? { ...part, thoughtSignature: signature } : part;
  };
  const texts = cuts.text.map((text) => sign({ text }));
  const calls = (choice.toolCalls ?? []).map((call, index) =>
    sign({
      functionCall: { name: upstreamName(call.name), args: JSON.parse(call.arguments) as Record<string, unknown> },
      ...(index === 0 && bare ? { thoughtSignature: bare } : {}),
    }),
  );
  // Nothing followed the last thought: its signature closes it, on an empty thought.
  if (pending) parts.push({ text: '', thought: true, thoughtSignature: pending });
  if (bare && calls.length === 0) {
    // On the last text part; a stream sends it last, alone with an empty text.
    const last = texts.at(-1);
    if (last && !streamed) last.thoughtSignature = bare;
    else texts.push({ text: '', thoughtSignature: bare });
  }
  return [...parts, ...texts, ...calls];
};

/** One response of `answer`'s with `parts`: the last (or only) one has the finish reason and all the usage, an earlier one the prompt's count. */
const response = (answer: Answer, parts: GeminiPart[], last: boolean): GeminiGenerateContentResponse => ({
  responseId: answer.id,
  modelVersion: answer.model,
  candidates: [
    {
      content: { role: 'model', parts },
      index: 0,
      ...(last ? { finishReason: FINISH[answer.choices[0]!.finishReason as Exclude<FinishReason, 'error'>] } : {}),
    },
  ],
  usageMetadata: last ? usageOf(answer.usage) : { promptTokenCount: answer.usage.inputTokens },
});

/** `upstreamName` maps the caller's tool name to the one the request gave Gemini; a complete answer's text may come in several parts too. */
export const geminiResponse = (
  answer: Answer,
  upstreamName: (name: string) => string,
  cuts: Cuts,
): GeminiGenerateContentResponse => response(answer, partsOf(answer, upstreamName, cuts, false), true);

/** `streamGenerateContent?alt=sse`: one part a chunk, each a whole response. */
export const geminiChunks = (
  answer: Answer,
  upstreamName: (name: string) => string,
  cuts: Cuts,
): GeminiGenerateContentResponse[] => {
  const parts = partsOf(answer, upstreamName, cuts, true);
  if (parts.length === 0) return [response(answer, [], true)];
  return parts.map((part, index) => response(answer, [part], index === parts.length - 1));
};
