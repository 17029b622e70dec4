import { Injectable } from '@nestjs/common';
import type { Deployment, EmbeddingRequest, EmbeddingResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects, countEmbeddingTokens } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import type { Call } from '../call/call.service';
import { CallService } from '../call/call.service';

/** One embeddings call's state from plan to settlement: a call like a chat call's. */
export type EmbeddingsCall = Call<EmbeddingRequest>;

/** What the successful attempt answered and what it is charged for. */
export interface Embedded {
  deployment: Deployment;
  response: EmbeddingResponse;
  inputTokens: number;
}

/**
 * The invoke step of an embeddings call; plan, fallback, settlement and failure are the chat call's
 * (`CallService`): router plans an embeddings intake without classifying it, the candidates are
 * called in order through `executor.embed.v1`, and the charge is the input tokens, output 0.
 */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly calls: CallService,
    private readonly messaging: MessagingClient,
  ) {}

  /** Tries the candidates in order (`CallService.attempt`) and checks the answer has one vector per input. */
  async embed(call: EmbeddingsCall): Promise<Embedded> {
    const { deployment, answer } = await this.calls.attempt(call, async (candidate) => {
      // The inputs cross NATS once, to the executor, on core request/reply: never on JetStream.
      const response = await this.messaging.request(
        Subjects.embed,
        { deploymentId: candidate.id, request: call.request },
        { requestId: call.requestId, timeoutMs: this.calls.answerTimeoutMs },
      );
      if (response.embeddings.length !== call.request.input.length) {
        throw new PolymuxException(ErrorCode.UpstreamError, 'the provider answered a vector count unlike the inputs');
      }
      return response;
    });
    const inputTokens = answer.inputTokens ?? countEmbeddingTokens(call.request.input);
    return { deployment, response: answer, inputTokens };
  }

  /** Charges the input tokens, output 0, and resolves once JetStream acknowledged the usage event. */
  settle(call: EmbeddingsCall, { deployment, inputTokens }: Embedded): Promise<void> {
    return this.calls.settle(call, deployment, { inputTokens, outputTokens: 0 }, 'success');
  }
}
