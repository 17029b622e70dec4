import type { ReferenceModel, UsageCall, UsageGroup, UsageTotals } from '@polymux/contracts';
import { nanoToUsd } from '@polymux/contracts';
import { stringify } from 'csv-stringify/sync';

const TOTAL_COLUMNS = [
  'calls',
  'input_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'output_tokens',
  'reasoning_tokens',
  'list_cost_usd',
  'discount_usd',
  'charged_usd',
  'list_cost_nano_usd',
  'discount_nano_usd',
  'charged_nano_usd',
] as const;

/** Tokens and money as the admin API shows them: USD strings for people, nano-USD for programs. */
export const usedView = (totals: Omit<UsageTotals, 'calls'>) => ({
  inputTokens: totals.inputTokens,
  cachedInputTokens: totals.cachedInputTokens,
  cacheWriteTokens: totals.cacheWriteTokens,
  outputTokens: totals.outputTokens,
  reasoningTokens: totals.reasoningTokens,
  listCostUsd: nanoToUsd(BigInt(totals.listCost)),
  discountUsd: nanoToUsd(BigInt(totals.discount)),
  chargedUsd: nanoToUsd(BigInt(totals.charged)),
  listCostNanoUsd: totals.listCost,
  discountNanoUsd: totals.discount,
  chargedNanoUsd: totals.charged,
});

const totalsView = (totals: UsageTotals) => ({ calls: totals.calls, ...usedView(totals) });

const totalsCells = (totals: UsageTotals): Array<string | number> => Object.values(totalsView(totals));

/**
 * The routing saving of a group priced on the reference: what its calls would have cost there,
 * less their list cost (both at list prices: a plan's discount is the plan's, not routing's).
 */
const savingView = (referenceCost: string, listCost: string) => {
  const saving = BigInt(referenceCost) - BigInt(listCost);
  return {
    referenceCostUsd: nanoToUsd(BigInt(referenceCost)),
    savingUsd: nanoToUsd(saving),
    referenceCostNanoUsd: referenceCost,
    savingNanoUsd: saving.toString(),
  };
};

export const usageGroupView = ({ bucket, group, referenceCost, ...totals }: UsageGroup) => ({
  bucket,
  group,
  ...totalsView(totals),
  ...(referenceCost === undefined ? {} : savingView(referenceCost, totals.listCost)),
});

/** The reference a report with `savings` was priced on (its prices are the catalog's: `GET /admin/v1/catalog`). */
export const referenceView = (reference: ReferenceModel | null) =>
  reference && { model: reference.model, deploymentId: reference.deploymentId, qualityTier: reference.qualityTier };

export const usageCallView = ({ listCost, discount, charged, ...call }: UsageCall) => ({
  ...call,
  listCostUsd: nanoToUsd(BigInt(listCost)),
  discountUsd: nanoToUsd(BigInt(discount)),
  chargedUsd: nanoToUsd(BigInt(charged)),
  listCostNanoUsd: listCost,
  discountNanoUsd: discount,
  chargedNanoUsd: charged,
});

/** Cells that a spreadsheet would read as a formula are prefixed with `'` (`escape_formulas`). */
const csv = (header: string[], rows: Array<Array<string | number | boolean | null>>): string =>
  stringify([header, ...rows], { escape_formulas: true, cast: { boolean: (value) => String(value) } });

const SAVING_COLUMNS = ['reference_cost_usd', 'saving_usd', 'reference_cost_nano_usd', 'saving_nano_usd'];

/**
 * A grouped report as CSV: the bucket (when bucketed), each dimension's value, the totals, then
 * (priced on a reference) the reference cost and the saving.
 */
export const usageReportCsv = (groups: UsageGroup[], dimensions: string[], bucketed: boolean, saving = false): string =>
  csv(
    [...(bucketed ? ['bucket'] : []), ...dimensions, ...TOTAL_COLUMNS, ...(saving ? SAVING_COLUMNS : [])],
    groups.map((group) => [
      ...(bucketed ? [group.bucket] : []),
      ...dimensions.map((dimension) => group.group[dimension] ?? null),
      ...totalsCells(group),
      ...(saving && group.referenceCost !== undefined
        ? Object.values(savingView(group.referenceCost, group.listCost))
        : saving
          ? SAVING_COLUMNS.map(() => null)
          : []),
    ]),
  );

const CALL_COLUMNS = [
  'request_id',
  'occurred_at',
  'org_id',
  'team_id',
  'project_id',
  'key_id',
  'user_id',
  'requested_model',
  'model',
  'provider',
  'deployment_id',
  'api',
  'task',
  'outcome',
  'stream',
  'duration_ms',
  'session_id',
  'parent_request_id',
  'tags',
];

/** Usage rows as CSV, tags in the `x-polymux-tags` syntax (`env=prod,team=search`). */
export const usageCallsCsv = (calls: UsageCall[]): string =>
  csv(
    [...CALL_COLUMNS, ...TOTAL_COLUMNS.slice(1)],
    calls.map((call) => [
      call.requestId,
      call.occurredAt,
      call.orgId,
      call.teamId,
      call.projectId,
      call.keyId,
      call.userId,
      call.requestedModel,
      call.model,
      call.provider,
      call.deploymentId,
      call.api,
      call.task,
      call.outcome,
      call.stream,
      call.durationMs,
      call.sessionId,
      call.parentRequestId,
      Object.entries(call.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
      ...totalsCells({ calls: 1, ...call }).slice(1),
    ]),
  );
