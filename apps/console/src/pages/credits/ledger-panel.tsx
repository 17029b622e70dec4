import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { api, call } from '../../api/client';
import type { LedgerEntry, LedgerKind, Page, Project } from '../../api/types';
import { formatUsd } from '../../ui/money';
import { Empty, ErrorState, Loading } from '../../ui/states';

const PAGE_SIZE = 25;

export const KIND_LABELS: Record<LedgerKind, string> = {
  top_up: 'Top-up',
  charge: 'Charge',
  overrun: 'Overrun',
  grant: 'Grant',
  grant_expiry: 'Grant expiry',
  refund: 'Refund',
  adjustment: 'Adjustment',
};

/** Paid credit, or which grant's sub-account (`project:<id>/grant:<grant id>`). */
const accountLabel = (account: string) => {
  const grant = /\/grant:(.+)$/.exec(account)?.[1];
  return grant ? `Grant ${grant.slice(0, 8)}` : 'Paid credit';
};

/** The project's ledger entries, newest first, filtered by kind or request and paged by the API's cursor. */
export function LedgerPanel({ project }: { project: Project }) {
  const [kind, setKind] = useState<LedgerKind | ''>('');
  const [requestId, setRequestId] = useState('');
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const ledger = useQuery({
    queryKey: ['ledger', project.id, kind, requestId, cursor],
    queryFn: () =>
      call<Page<LedgerEntry>>(
        api.GET('/admin/v1/projects/{projectId}/ledger', {
          params: {
            path: { projectId: project.id },
            query: {
              limit: PAGE_SIZE,
              ...(kind ? { kind } : {}),
              ...(requestId ? { requestId } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  // Another project: its own first page (a cursor belongs to one list; a filter's change restarts too).
  useEffect(() => setCursors([undefined]), [project.id]);
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => (set(value), setCursors([undefined]));
  const filtered = kind !== '' || requestId !== '';
  return (
    <section aria-labelledby="ledger-title">
      <h2 id="ledger-title">Ledger</h2>
      <form className="toolbar" onSubmit={(event) => event.preventDefault()}>
        <label>
          Kind
          <select value={kind} onChange={(event) => filter(setKind)(event.target.value as LedgerKind | '')}>
            <option value="">All kinds</option>
            {(Object.keys(KIND_LABELS) as LedgerKind[]).map((name) => (
              <option key={name} value={name}>
                {KIND_LABELS[name]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Filter by request id
          <input
            type="search"
            value={requestId}
            maxLength={256}
            onChange={(event) => filter(setRequestId)(event.target.value.trim())}
          />
        </label>
      </form>
      {ledger.isPending && <Loading what="the ledger" />}
      {ledger.error && <ErrorState error={ledger.error} what="load the ledger" onRetry={() => ledger.refetch()} />}
      {ledger.data && ledger.data.data.length === 0 && cursors.length === 1 && (
        <Empty title={filtered ? 'No entry matches' : 'No ledger entries yet'}>
          <p>{filtered ? 'Change the filters.' : 'Top-ups, grants and charged calls appear here.'}</p>
        </Empty>
      )}
      {ledger.data && ledger.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Ledger entries">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Kind</th>
                <th scope="col" className="number">
                  Amount
                </th>
                <th scope="col">Account</th>
                <th scope="col">Request</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {ledger.data.data.map((entry) => (
                <tr key={entry.id} data-entry-kind={entry.kind}>
                  <td>{new Date(entry.createdAt).toLocaleString()}</td>
                  <th scope="row">{KIND_LABELS[entry.kind]}</th>
                  <td className="number">{formatUsd(entry.amountNanoUsd, { signed: true })}</td>
                  <td>{accountLabel(entry.account)}</td>
                  <td>{entry.requestId ? <code>{entry.requestId}</code> : '—'}</td>
                  <td>{entry.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Ledger pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!ledger.data?.nextCursor}
          onClick={() => setCursors([...cursors, ledger.data!.nextCursor!])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
