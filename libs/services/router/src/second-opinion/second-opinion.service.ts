import { trace } from '@opentelemetry/api';
import { Inject, Injectable } from '@nestjs/common';
import { CatalogSource } from '@polymux/catalog';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG, ConfigError } from '@polymux/config';
import type { Classification, Deployment, Intake } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { HealthService } from '../health/health.service';
import type { Answer, Reviewed, SecondOpinionRules } from './second-opinion';
import { settle, wantsSecondOpinion } from './second-opinion';
import type { OpinionTask } from './second-opinion.prompt';
import { answerText, opinionRequest, taskOfAnswer } from './second-opinion.prompt';

/**
 * The optional second opinion on an unsure classification (off unless POLYMUX_SECOND_OPINION_MODEL
 * names a model): a short call of the configured catalog model through the executor, like any
 * call, so that provider credentials stay there. It never fails a plan: an error, a timeout, an
 * unusable answer or no usable deployment keep the classifier's task. The sample is sent upstream
 * and nowhere else: neither the prompt nor the answer is logged, stored or put on a span.
 */
@Injectable()
export class SecondOpinionService {
  private readonly rules: SecondOpinionRules;

  constructor(
    private readonly catalogs: CatalogSource,
    private readonly messaging: MessagingClient,
    private readonly health: HealthService,
    @Inject(CONFIG) config: PolymuxConfig,
  ) {
    this.rules = config.secondOpinion;
    const model = this.rules.model;
    const resolved = model === undefined ? undefined : catalogs.current.resolve(model)?.model;
    if (model !== undefined && (!resolved || resolved.capabilities.embeddings || !catalogs.current.isPriced(resolved)))
      throw new ConfigError([`POLYMUX_SECOND_OPINION_MODEL: ${model} is not a priced chat model of the catalog`]);
  }

  /** The classification, or the second opinion's task on it when the classifier was unsure. */
  async review(intake: Intake, own: Classification, requestId?: string): Promise<Reviewed> {
    if (!wantsSecondOpinion(this.rules, own, intake.signals)) return { classification: own };
    const answer = await this.ask(this.rules.model, intake.sample, requestId);
    trace.getActiveSpan()?.setAttribute('polymux.second_opinion', answer.outcome);
    return settle(own, intake.signals, this.rules.model, answer);
  }

  /** What an explanation says: a call would ask the second opinion (an explanation calls no provider). */
  wouldReview(intake: Intake, own: Classification): Reviewed {
    if (!wantsSecondOpinion(this.rules, own, intake.signals)) return { classification: own };
    return settle(own, intake.signals, this.rules.model, { outcome: 'not-asked' });
  }

  private async ask(model: string, sample: string, requestId?: string): Promise<Answer> {
    const deployment = await this.usableDeployment(model);
    if (!deployment) return { outcome: 'unavailable' };
    try {
      const frames = this.messaging.stream(
        Subjects.invoke,
        { deploymentId: deployment.id, request: opinionRequest(deployment.model, sample) },
        { requestId, firstTimeoutMs: this.rules.timeoutMs, idleTimeoutMs: this.rules.timeoutMs },
      );
      let task: OpinionTask | null = null;
      // A call that is not streamed answers one response frame.
      for await (const frame of frames) if (frame.type === 'response') task = taskOfAnswer(answerText(frame.response));
      return task ? { outcome: 'used', task } : { outcome: 'invalid' };
    } catch {
      // Its message could quote the prompt back (as providers do): only the outcome is kept.
      return { outcome: 'failed' };
    }
  }

  /** The model's first deployment in catalog order that is not open or cooling (a half-open one probes). */
  private async usableDeployment(model: string): Promise<Deployment | undefined> {
    const catalog = this.catalogs.current;
    const resolved = catalog.resolve(model)?.model;
    const deployments = resolved && !resolved.capabilities.embeddings ? catalog.deployments(resolved) : [];
    if (deployments.length === 0) return undefined;
    const snapshot = await this.health.snapshot(deployments.map((deployment) => deployment.id));
    const { candidates, skipped } = await this.health.arrange(deployments, snapshot);
    const first = candidates[0]!;
    return skipped.some((entry) => entry.deploymentId === first.id) ? undefined : first;
  }
}
