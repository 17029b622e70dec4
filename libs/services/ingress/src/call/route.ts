import { trace } from '@opentelemetry/api';
import type { Deployment, SecondOpinion, SkippedDeployment } from '@polymux/contracts';
import { Headers } from '@polymux/contracts';
import type { FastifyReply } from 'fastify';

import type { Call, CallRequest } from './call.service';

const SKIPPED: Record<SkippedDeployment['reason'], string> = { open: 'breaker open', cooling: 'cooling down' };

/** `second opinion gpt-4.1-nano: creative`, or what kept the classifier's task (`… failed`). */
const opinionOf = ({ model, outcome }: SecondOpinion, task: string): string =>
  `second opinion ${model}${outcome === 'used' ? `: ${task}` : ` ${outcome}`}`;

/**
 * How the answering deployment was chosen: the plan's strategy, then what moved the call along —
 * deployments the router put last for their health, each retry and fallback — or `first choice`,
 * after the second opinion on the task when one was asked. E.g. `ordered; retry after 500 on a/m,
 * fallback after 500 on a/m` or `cheapest-capable; second opinion nano: creative, first choice`. A
 * budget-pressure downgrade is named after the strategy. Ids, task names, status codes and
 * percentages only.
 */
export const routeOf = (call: Call<CallRequest>): string => {
  const plan = call.plan;
  const skipped = (plan?.skipped ?? []).map(
    ({ deploymentId, reason }) => `skipped ${deploymentId} (${SKIPPED[reason]})`,
  );
  const events = [...skipped, ...call.route];
  const pressure = plan?.budgetPressure;
  // E.g. `cheapest-capable (budget pressure: key budget 85% spent); first choice`.
  const strategy = `${plan?.strategy ?? 'ordered'}${pressure ? ` (budget pressure: ${pressure.scope} budget ${pressure.usedPercent}% spent)` : ''}`;
  const opinion = plan?.secondOpinion ? `${opinionOf(plan.secondOpinion, plan.task)}, ` : '';
  return `${strategy}; ${opinion}${events.length > 0 ? events.join(', ') : 'first choice'}`;
};

/** `x-polymux-model`, `x-polymux-task` and `x-polymux-route` of an answer, on the reply and on the call's span. */
export const describeRoute = (reply: FastifyReply, call: Call<CallRequest>, deployment: Deployment): void => {
  const route = routeOf(call);
  void reply.header(Headers.model, deployment.model).header(Headers.route, route);
  trace.getActiveSpan()?.setAttributes({
    'polymux.model': deployment.model,
    'polymux.deployment': deployment.id,
    'polymux.task': call.plan?.task ?? 'unknown',
    'polymux.route': route,
  });
};
