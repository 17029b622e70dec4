import { useMemo, useState } from 'react';

import type { UsageGroup } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { useProjectSelection } from '../../shell/project-picker';
import { count, percent, usd } from '../../ui/format';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { SpendChart, TopChart, spendSeries } from './usage-chart';
import type { Dimension, Period, UsageFilters } from './usage-params';
import { DIMENSIONS, PERIODS, groupByOf, perCallUsd, usageTeamOf } from './usage-params';
import { download, usageCsv, useUsageReports } from './usage-queries';

const tokensOf = (group: UsageGroup) => group.inputTokens + group.outputTokens;

/** The period's totals: spend, calls, tokens, cost per request, and the saving from routing. */
function Totals({ report }: { report: NonNullable<ReturnType<typeof useUsageReports>['totals']['data']> }) {
  const total = report.data[0];
  if (!total) return null;
  const reference = report.reference;
  const saving = total.savingNanoUsd !== undefined ? BigInt(total.savingNanoUsd) : undefined;
  const referenceCost = total.referenceCostNanoUsd !== undefined ? BigInt(total.referenceCostNanoUsd) : 0n;
  return (
    <section aria-labelledby="totals-title">
      <h2 id="totals-title">Totals</h2>
      <dl className="figures">
        <div>
          <dt>Spend (charged)</dt>
          <dd data-testid="total-charged">{usd(total.chargedUsd)}</dd>
        </div>
        <div>
          <dt>Calls</dt>
          <dd>{count(total.calls)}</dd>
        </div>
        <div>
          <dt>Tokens (input + output)</dt>
          <dd>{count(tokensOf(total))}</dd>
        </div>
        <div>
          <dt>Cost per request</dt>
          <dd>{usd(perCallUsd(total.chargedNanoUsd, total.calls))}</dd>
        </div>
        {reference && saving !== undefined && (
          <div>
            <dt>Saved by routing</dt>
            <dd data-testid="saving">
              {usd(total.savingUsd!)}
              {referenceCost > 0n && <span className="hint"> ({percent(Number(saving) / Number(referenceCost))})</span>}
            </dd>
          </div>
        )}
      </dl>
      {reference && total.calls > 0 && (
        <p className="hint" data-testid="saving-explained">
          These calls would have cost {usd(total.referenceCostUsd!)} at list price on {reference.model}, the strongest
          model ({reference.qualityTier} tier) <code>auto</code> chooses from; they cost {usd(total.listCostUsd)} at
          list price where they went.
        </p>
      )}
      {reference === null && <p className="hint">The catalog has no priced model for auto to compare with.</p>}
    </section>
  );
}

function DimensionTable({ groups, groupBy, label }: { groups: UsageGroup[]; groupBy: string; label: string }) {
  const sorted = [...groups].sort((a, b) => (BigInt(b.chargedNanoUsd) > BigInt(a.chargedNanoUsd) ? 1 : -1));
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`Spend by ${label.toLowerCase()}`}>
      <table>
        <thead>
          <tr>
            <th scope="col">{label}</th>
            <th scope="col">Calls</th>
            <th scope="col">Input tokens</th>
            <th scope="col">Output tokens</th>
            <th scope="col">Charged</th>
            <th scope="col">Per request</th>
            <th scope="col">Saved by routing</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((group) => {
            const name = group.group[groupBy] ?? '(none)';
            return (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{count(group.calls)}</td>
                <td>{count(group.inputTokens)}</td>
                <td>{count(group.outputTokens)}</td>
                <td>{usd(group.chargedUsd)}</td>
                <td>{usd(perCallUsd(group.chargedNanoUsd, group.calls))}</td>
                <td>{group.savingUsd === undefined ? '—' : usd(group.savingUsd)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Spend and tokens of an organisation over a period: totals with the saving from routing, spend over
 * time by a dimension (chart and table), the dimension's totals, the top models by cost, the latest
 * calls (metadata only), and the spend over time as CSV.
 */
export default function UsagePage() {
  const { me } = useAuth();
  const selection = useProjectSelection();
  const { orgs, projects, orgId, choose } = selection;
  const [period, setPeriod] = useState<Period>('7d');
  const [dimension, setDimension] = useState<Dimension>('model');
  const [tagKey, setTagKey] = useState('');
  const [projectId, setProjectId] = useState('');
  const [exporting, setExporting] = useState<'idle' | 'busy' | { error: unknown }>('idle');
  const teamId = usageTeamOf(me);
  const filters: UsageFilters | undefined = useMemo(
    () =>
      orgId
        ? { orgId, period, dimension, tagKey: tagKey.trim(), projectId: projectId || undefined, teamId }
        : undefined,
    [orgId, period, dimension, tagKey, projectId, teamId],
  );
  // One instant per choice of filters: every report of the page covers the same period.
  const now = useMemo(() => (filters ? Date.now() : 0), [filters]);
  const reports = useUsageReports(filters, now);
  const label = dimension === 'tag' ? `Tag ${tagKey || '…'}` : DIMENSIONS[dimension];
  const groupBy = filters ? groupByOf(filters) : '';
  const hourly = PERIODS[period].bucket === 'hour';
  const empty = reports.totals.data?.data[0]?.calls === 0;
  const exportCsv = async () => {
    if (!filters) return;
    setExporting('busy');
    try {
      download(`usage-${period}-${groupBy.replace(':', '-')}.csv`, await usageCsv(filters, now), 'text/csv');
      setExporting('idle');
    } catch (error) {
      setExporting({ error });
    }
  };
  return (
    <article className="page">
      <h1>Usage and costs</h1>
      <form className="toolbar filters" onSubmit={(event) => event.preventDefault()} aria-label="Usage filters">
        {me?.operator && orgs.data && (
          <label>
            Organisation
            <select value={orgId ?? ''} onChange={(event) => choose('org', event.target.value)}>
              {orgs.data.data.map((org) => (
                <option key={org.id} value={org.id}>
                  {org.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Period
          <select value={period} onChange={(event) => setPeriod(event.target.value as Period)}>
            {Object.entries(PERIODS).map(([value, entry]) => (
              <option key={value} value={value}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Break down by
          <select value={dimension} onChange={(event) => setDimension(event.target.value as Dimension)}>
            {Object.entries(DIMENSIONS).map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {dimension === 'tag' && (
          <label>
            Tag key
            <input value={tagKey} onChange={(event) => setTagKey(event.target.value)} placeholder="env" />
          </label>
        )}
        {projects.data && projects.data.data.length > 0 && (
          <label>
            Project
            <select value={projectId} onChange={(event) => setProjectId(event.target.value)}>
              <option value="">All projects</option>
              {projects.data.data.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" onClick={() => void exportCsv()} disabled={!filters || exporting === 'busy'}>
          Export CSV
        </button>
      </form>
      {teamId && <p className="hint">Your team’s usage only.</p>}
      {typeof exporting === 'object' && <ErrorState error={exporting.error} what="export the CSV" />}
      {me?.operator && orgs.isPending && <Loading what="organisations" />}
      {orgs.error && <ErrorState error={orgs.error} what="load the organisations" onRetry={() => orgs.refetch()} />}
      {dimension === 'tag' && tagKey.trim() === '' && <p className="hint">Name the tag key to break spend down by.</p>}
      {reports.totals.isPending && reports.totals.fetchStatus !== 'idle' && <Loading what="usage" />}
      {reports.totals.error && (
        <ErrorState error={reports.totals.error} what="load the usage" onRetry={() => reports.totals.refetch()} />
      )}
      {empty && (
        <Empty title="No calls in this period">
          <p>
            Calls made with this organisation’s API keys appear here once they are charged (moments after each call).
          </p>
        </Empty>
      )}
      {reports.totals.data && !empty && (
        <>
          <Totals report={reports.totals.data} />
          <section aria-labelledby="over-time-title">
            <h2 id="over-time-title">Over time</h2>
            {reports.overTime.error && (
              <ErrorState
                error={reports.overTime.error}
                what="load spend over time"
                onRetry={() => reports.overTime.refetch()}
              />
            )}
            {reports.overTime.data && (
              <SpendChart series={spendSeries(reports.overTime.data.data, groupBy, hourly)} dimensionLabel={label} />
            )}
          </section>
          <section aria-labelledby="by-title">
            <h2 id="by-title">By {label.toLowerCase()}</h2>
            {reports.byDimension.error && (
              <ErrorState
                error={reports.byDimension.error}
                what="load the breakdown"
                onRetry={() => reports.byDimension.refetch()}
              />
            )}
            {reports.byDimension.data && (
              <DimensionTable groups={reports.byDimension.data.data} groupBy={groupBy} label={label} />
            )}
          </section>
          <section aria-labelledby="top-title">
            <h2 id="top-title">Top models</h2>
            {reports.byModel.error && (
              <ErrorState
                error={reports.byModel.error}
                what="load the models"
                onRetry={() => reports.byModel.refetch()}
              />
            )}
            {reports.byModel.data && <TopChart groups={reports.byModel.data.data} dimension="model" />}
          </section>
          <section aria-labelledby="calls-title">
            <h2 id="calls-title">Latest calls</h2>
            {reports.calls.error && (
              <ErrorState error={reports.calls.error} what="load the calls" onRetry={() => reports.calls.refetch()} />
            )}
            {reports.calls.data && (
              <div className="table-scroll" tabIndex={0} role="region" aria-label="Latest calls, newest first">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Request</th>
                      <th scope="col">When</th>
                      <th scope="col">Model</th>
                      <th scope="col">API</th>
                      <th scope="col">Tokens in / out</th>
                      <th scope="col">Charged</th>
                    </tr>
                  </thead>
                  <tbody>
                    {reports.calls.data.data.map((entry) => (
                      <tr key={entry.requestId} data-request-id={entry.requestId}>
                        <th scope="row">
                          <code>{entry.requestId}</code>
                        </th>
                        <td>{new Date(entry.occurredAt).toLocaleString()}</td>
                        <td>
                          {entry.model}
                          {entry.requestedModel !== entry.model && (
                            <div className="hint">asked for {entry.requestedModel}</div>
                          )}
                        </td>
                        <td>{entry.api}</td>
                        <td>
                          {count(entry.inputTokens)} / {count(entry.outputTokens)}
                        </td>
                        <td>{usd(entry.chargedUsd)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </article>
  );
}
