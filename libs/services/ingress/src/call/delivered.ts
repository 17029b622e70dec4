import type { ChatChunk, ChatRequest, ChatResponse, Usage } from '@polymux/contracts';
import { countInputTokens, countOutputTokens } from '@polymux/contracts';

/**
 * What a call delivered to its caller, per choice, so that it is charged for exactly that: the
 * provider's usage when it reported one, otherwise a tokenizer's count of the request and of the
 * text and tool calls relayed (never zero for a delivered answer).
 */
export class Delivered {
  private readonly texts = new Map<number, string>();
  private reported: Usage | null = null;

  /** True once any content, refusal or tool call has reached the caller. */
  get any(): boolean {
    return this.texts.size > 0;
  }

  chunk(chunk: ChatChunk): void {
    if (chunk.usage) this.reported = chunk.usage;
    for (const choice of chunk.choices) {
      const calls = choice.toolCalls?.map((call) => `${call.name ?? ''}${call.arguments ?? ''}`).join('') ?? '';
      this.append(choice.index, `${choice.content ?? ''}${choice.refusal ?? ''}${calls}`);
    }
  }

  response(response: ChatResponse): void {
    if (response.usage) this.reported = response.usage;
    for (const choice of response.choices) {
      const calls = choice.toolCalls?.map((call) => `${call.name}${call.arguments}`).join('') ?? '';
      this.append(choice.index, `${choice.content ?? ''}${choice.refusal ?? ''}${calls}`);
    }
  }

  usageReported(usage: Usage | null): void {
    if (usage) this.reported = usage;
  }

  /** The usage to charge; `model` picks the image rules when the input has to be counted. */
  usage(request: ChatRequest, model: string): Usage {
    if (this.reported) return this.reported;
    return { inputTokens: countInputTokens(request, model), outputTokens: countOutputTokens(this.texts.values()) };
  }

  private append(index: number, text: string): void {
    if (text === '') return;
    this.texts.set(index, (this.texts.get(index) ?? '') + text);
  }
}
