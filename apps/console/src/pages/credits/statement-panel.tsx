import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { Statement, StatementLineName, StatementPart } from '../../api/types';
import { downloadFile } from '../../ui/download';
import { formatUsd } from '../../ui/money';
import { ErrorState, Loading } from '../../ui/states';

const LINES: Record<StatementLineName, string> = {
  top_ups: 'Top-ups',
  grants: 'Grants',
  charges: 'Charges (at list price)',
  discounts: 'Plan discounts',
  refunds: 'Refunds',
  adjustments: 'Adjustments',
  grant_expiries: 'Grant expiries',
};

/** This month, `2026-11`, in the browser's calendar (the statement's month is in the chosen zone). */
const thisMonth = (now = new Date()) => `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;

const amountOf = (part: StatementPart, line: StatementLineName) =>
  part.lines.find((entry) => entry.line === line)?.amountNanoUsd ?? '0';

/**
 * An org's statement for a calendar month in a time zone: opening balance, the month's movements
 * by line and the closing balance, per project and in total; the API's CSV of it as a download.
 */
export function StatementPanel({ orgId }: { orgId: string }) {
  const [period, setPeriod] = useState(thisMonth);
  const [timezone, setTimezone] = useState('UTC');
  const query = { period, timezone };
  const valid = /^\d{4}-(0[1-9]|1[0-2])$/.test(period) && timezone.trim() !== '';
  const statement = useQuery({
    queryKey: ['statement', orgId, period, timezone],
    queryFn: () => call<Statement>(api.GET('/admin/v1/orgs/{orgId}/statement', { params: { path: { orgId }, query } })),
    enabled: valid,
  });
  const csv = useMutation({
    mutationFn: () =>
      call<Blob>(
        api.GET('/admin/v1/orgs/{orgId}/statement', {
          params: { path: { orgId }, query: { ...query, format: 'csv' } },
          parseAs: 'blob',
        }),
      ),
    onSuccess: (file) => downloadFile(`statement-${period}-${timezone.replace(/\W+/g, '-')}.csv`, file),
  });
  const columns = statement.data
    ? [...statement.data.projects, { ...statement.data.totals, projectName: 'Total' }]
    : [];
  return (
    <section aria-labelledby="statement-title">
      <h2 id="statement-title">Statement</h2>
      <div className="toolbar">
        <div className="inline-form">
          <label>
            Month
            <input type="month" value={period} required onChange={(event) => setPeriod(event.target.value)} />
          </label>
          <label>
            Time zone
            <input value={timezone} onChange={(event) => setTimezone(event.target.value)} />
          </label>
        </div>
        <button type="button" disabled={!valid || csv.isPending} onClick={() => csv.mutate()}>
          Download CSV
        </button>
      </div>
      {csv.error && <ErrorState error={csv.error} what="download the statement" />}
      {!valid && <p className="error-text">Pick a month and name a time zone (such as UTC or Europe/Berlin).</p>}
      {valid && statement.isPending && <Loading what="the statement" />}
      {statement.error && (
        <ErrorState error={statement.error} what="load the statement" onRetry={() => statement.refetch()} />
      )}
      {statement.data && (
        <>
          <p className="hint">
            From {new Date(statement.data.from).toLocaleString()} to {new Date(statement.data.to).toLocaleString()} (the
            start of {period} to the start of the next month in {statement.data.timezone}).
          </p>
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Statement lines">
            <table className="statement">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  {columns.map((column, index) => (
                    <th scope="col" key={index} className="number">
                      {column.projectName}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Opening balance</th>
                  {columns.map((column, index) => (
                    <td key={index} className="number">
                      {formatUsd(column.openingBalanceNanoUsd)}
                    </td>
                  ))}
                </tr>
                {(Object.keys(LINES) as StatementLineName[]).map((line) => (
                  <tr key={line}>
                    <th scope="row">{LINES[line]}</th>
                    {columns.map((column, index) => (
                      <td key={index} className="number">
                        {formatUsd(amountOf(column, line), { signed: true })}
                      </td>
                    ))}
                  </tr>
                ))}
                <tr className="total">
                  <th scope="row">Closing balance</th>
                  {columns.map((column, index) => (
                    <td
                      key={index}
                      className="number"
                      data-testid={index === columns.length - 1 ? 'closing-total' : undefined}
                    >
                      {formatUsd(column.closingBalanceNanoUsd)}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
