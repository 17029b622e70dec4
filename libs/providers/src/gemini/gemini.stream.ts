import type { ChatChunk, ChoiceDelta, Usage } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { GeminiCandidate, GeminiGenerateContentResponse } from '@polymux/wire';

import type { ToolNames } from '../tool-names';
import { upstreamErrorFacts } from '../http/upstream-error';
import { tagSignature } from '../thought-signature';
import { GEMINI_SIGNATURE } from './gemini.request';
import { callId, isFiltered, refusalOf, toFinishReason, toUsage } from './gemini.response';

/**
 * A Google error inside a stream (`data: {"error":{code,message,status}}`), by its status only (its
 * message may quote the prompt): `RESOURCE_EXHAUSTED` → rate limited, `UNAVAILABLE` → overloaded,
 * anything else an upstream error.
 */
export const errorFromGoogleEvent = (provider: string, data: string): PolymuxException => {
  const { reasons, retryAfterSeconds } = upstreamErrorFacts(data);
  const suffix = reasons.length > 0 ? `: ${reasons.join(', ')}` : '';
  const retry = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
  if (reasons.includes('RESOURCE_EXHAUSTED'))
    return new PolymuxException(
      ErrorCode.UpstreamRateLimited,
      `the provider ${provider} rate-limited the stream${suffix}`,
      retry,
    );
  if (reasons.includes('UNAVAILABLE'))
    return new PolymuxException(
      ErrorCode.UpstreamOverloaded,
      `the provider ${provider} is overloaded mid-stream${suffix}`,
    );
  return new PolymuxException(ErrorCode.UpstreamError, `the provider ${provider} failed mid-stream${suffix}`);
};

/** What one candidate of the stream has shown so far. */
interface CandidateState {
  toolCalls: number;
  /** Whether it has written text or a call (a filter's stop after that is no refusal). */
  wrote: boolean;
  finished: boolean;
}

/**
 * Reads `streamGenerateContent?alt=sse` chunks (each a whole `GenerateContentResponse` with the
 * next parts of each candidate) into canonical chunks: a candidate's first chunk carries the role;
 * texts are content, thought summaries reasoning text, a thought signature closes the reasoning
 * (tagged, as in `toChatResponse`, and before the part it came with so reasoning comes first), each function call arrives whole (its id, name and arguments in
 * one tool-call delta), each delta a chunk of its own. Gemini repeats the usage in every chunk, the last one complete: it is kept
 * and sent once, by `end()`.
 */
export class GeminiStreamDecoder {
  private id = '';
  private model: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly candidates = new Map<number, CandidateState>();
  private usage: Usage | undefined;
  private blocked = false;

  constructor(
    private readonly names: ToolNames,
    fallbackModel: string,
  ) {
    this.model = fallbackModel;
  }

  /** Whether every candidate that started has finished (or the prompt was blocked). */
  get finished(): boolean {
    return this.blocked || (this.candidates.size > 0 && [...this.candidates.values()].every((state) => state.finished));
  }

  /** The canonical chunks of one of Gemini's. */
  decode(chunk: GeminiGenerateContentResponse): ChatChunk[] {
    this.id ||= chunk.responseId ?? '';
    this.model = chunk.modelVersion ?? this.model;
    if (chunk.usageMetadata) this.usage = toUsage(chunk.usageMetadata);
    const blockReason = chunk.promptFeedback?.blockReason;
    if (blockReason && !chunk.candidates?.length) {
      this.blocked = true;
      return [
        this.chunk([{ index: 0, role: 'assistant', refusal: refusalOf(blockReason), finishReason: 'content_filter' }]),
      ];
    }
    return (chunk.candidates ?? [])
      .flatMap((candidate, position) => this.candidate(candidate, position))
      .map((delta) => this.chunk([delta]));
  }

  /** The closing chunk: no choice, the last usage Gemini reported (undefined when it reported none). */
  end(): ChatChunk | undefined {
    if (!this.usage) return undefined;
    const chunk = this.chunk([]);
    chunk.usage = this.usage;
    return chunk;
  }

  private candidate(candidate: GeminiCandidate, position: number): ChoiceDelta[] {
    const index = candidate.index ?? position;
    let state = this.candidates.get(index);
    const deltas: ChoiceDelta[] = [];
    if (!state) {
      state = { toolCalls: 0, wrote: false, finished: false };
      this.candidates.set(index, state);
      deltas.push({ index, role: 'assistant' });
    }
    for (const part of candidate.content?.parts ?? []) {
      // The signature of an answer's part closes the reasoning before that part, a thought's after it.
      const signature = part.thoughtSignature
        ? { index, reasoning: { signature: tagSignature(GEMINI_SIGNATURE, part.thoughtSignature) } }
        : undefined;
      if (signature && !part.thought) deltas.push(signature);
      if (part.thought && part.text) deltas.push({ index, reasoning: { text: part.text } });
      else if (part.text && !part.thought) {
        deltas.push({ index, content: part.text });
        state.wrote = true;
      } else if (part.functionCall) {
        const call = part.functionCall;
        deltas.push({
          index,
          toolCalls: [
            {
              index: state.toolCalls,
              id: callId(this.id, index, state.toolCalls, call),
              name: this.names.callerName(call.name),
              arguments: JSON.stringify(call.args ?? {}),
            },
          ],
        });
        state.toolCalls += 1;
        state.wrote = true;
      }
      if (signature && part.thought) deltas.push(signature);
    }
    const reason = candidate.finishReason;
    if (reason) {
      state.finished = true;
      const delta: ChoiceDelta = { index, finishReason: toFinishReason(reason, state.toolCalls > 0) };
      if (isFiltered(reason) && !state.wrote) delta.refusal = refusalOf(reason);
      deltas.push(delta);
    }
    return deltas;
  }

  private chunk(choices: ChoiceDelta[]): ChatChunk {
    return { id: this.id, model: this.model, created: this.created, choices };
  }
}
