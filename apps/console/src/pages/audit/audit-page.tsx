import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useMemo, useState } from 'react';

import { api, call } from '../../api/client';
import type { AuditRecord, Page } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { useProjectSelection } from '../../shell/project-picker';
import { Empty, ErrorState, Loading } from '../../ui/states';
import type { AuditFilterValues } from './audit-filters';
import { NO_FILTERS, auditQueryOf } from './audit-filters';
import { AuditRecordDetails } from './audit-record';
import { ExportTrail, VerifyChain } from './audit-tools';

const PAGE_SIZE = 50;

/** The audit trail: filters, a page of records (the API's cursor), a record's details, chain verification, export. */
export default function AuditPage() {
  const { me } = useAuth();
  const { orgId, orgs, projects, choose } = useProjectSelection();
  const [draft, setDraft] = useState<AuditFilterValues>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilterValues>(NO_FILTERS);
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [open, setOpen] = useState<AuditRecord | null>(null);
  const cursor = cursors[cursors.length - 1];
  const query = useMemo(() => auditQueryOf(filters, orgId), [filters, orgId]);
  const records = useQuery({
    queryKey: ['audit', query, cursor],
    queryFn: () =>
      call<Page<AuditRecord>>(
        api.GET('/admin/v1/audit', {
          params: { query: { ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    enabled: !me?.operator || !!orgId,
    placeholderData: keepPreviousData,
  });
  const set = <K extends keyof AuditFilterValues>(name: K, value: AuditFilterValues[K]) =>
    setDraft((current) => ({ ...current, [name]: value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([undefined]);
  };
  const projectName = (id: string | null) =>
    id ? (projects.data?.data.find((project) => project.id === id)?.name ?? id) : '—';
  return (
    <article className="page">
      <h1>Audit</h1>
      <form className="card audit-filters" onSubmit={apply} aria-label="Audit filters">
        <div className="picker">
          {me?.operator && (
            <label>
              Organisation
              <select
                value={orgId ?? ''}
                onChange={(event) => (choose('org', event.target.value), setCursors([undefined]))}
              >
                {orgs.data?.data.map((org) => (
                  <option key={org.id} value={org.id}>
                    {org.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Action
            <input
              value={draft.action}
              placeholder="api_key.update, chat.completions.create, …"
              onChange={(event) => set('action', event.target.value)}
            />
          </label>
          <label>
            Actor (key or user id)
            <input value={draft.actor} onChange={(event) => set('actor', event.target.value)} />
          </label>
          <label>
            Category
            <select
              value={draft.category}
              onChange={(event) => set('category', event.target.value as AuditFilterValues['category'])}
            >
              <option value="">Admin actions and calls</option>
              <option value="admin">Admin actions</option>
              <option value="call">Calls</option>
            </select>
          </label>
          <label>
            Project
            <select value={draft.projectId} onChange={(event) => set('projectId', event.target.value)}>
              <option value="">Any project</option>
              {projects.data?.data.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            From
            <input type="datetime-local" value={draft.from} onChange={(event) => set('from', event.target.value)} />
          </label>
          <label>
            To
            <input type="datetime-local" value={draft.to} onChange={(event) => set('to', event.target.value)} />
          </label>
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button type="button" onClick={() => (setDraft(NO_FILTERS), setFilters(NO_FILTERS), setCursors([undefined]))}>
            Clear
          </button>
        </div>
      </form>
      {records.isPending && <Loading what="the audit trail" />}
      {records.error && (
        <ErrorState error={records.error} what="load the audit trail" onRetry={() => records.refetch()} />
      )}
      {records.data && records.data.data.length === 0 && (
        <Empty title={cursors.length === 1 ? 'No record matches these filters' : 'No more records'} />
      )}
      {records.data && records.data.data.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Audit records">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Actor</th>
                <th scope="col">Project</th>
                <th scope="col">Target</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {records.data.data.map((record) => (
                <tr key={record.id} data-action={record.action}>
                  <td>{new Date(record.occurredAt).toLocaleString()}</td>
                  <th scope="row">{record.action}</th>
                  <td>{record.outcome}</td>
                  <td>
                    <code>{record.actorUserId ?? record.actorKeyId ?? 'Polymux'}</code>
                  </td>
                  <td>{projectName(record.projectId)}</td>
                  <td>
                    <code>{record.target ?? '—'}</code>
                  </td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Details of record ${record.seq}`}
                      onClick={() => setOpen(record)}
                    >
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Audit pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer records
        </button>
        <button
          type="button"
          disabled={!records.data?.nextCursor}
          onClick={() => setCursors([...cursors, records.data!.nextCursor!])}
        >
          Older records
        </button>
      </nav>
      <div className="audit-tools">
        <VerifyChain orgId={orgId} />
        <ExportTrail query={query} />
      </div>
      {open && <AuditRecordDetails record={open} onClose={() => setOpen(null)} />}
    </article>
  );
}
