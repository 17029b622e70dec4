import type { paths } from '../../api/schema';

export type AuditQuery = NonNullable<paths['/admin/v1/audit']['get']['parameters']['query']>;

/** The filters as typed; `from` and `to` are the browser's local `datetime-local` values. */
export interface AuditFilterValues {
  actor: string;
  action: string;
  category: '' | 'admin' | 'call';
  projectId: string;
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilterValues = { actor: '', action: '', category: '', projectId: '', from: '', to: '' };

const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The query `GET /admin/v1/audit` and its export take: empty filters left out, times as ISO instants. */
export const auditQueryOf = (values: AuditFilterValues, orgId: string | undefined): AuditQuery => {
  const from = instant(values.from);
  const to = instant(values.to);
  return {
    ...(orgId ? { orgId } : {}),
    ...(values.actor.trim() ? { actor: values.actor.trim() } : {}),
    ...(values.action.trim() ? { action: values.action.trim() } : {}),
    ...(values.category ? { category: values.category } : {}),
    ...(values.projectId ? { projectId: values.projectId } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
};

/** The export's file name from its `content-disposition`, else one of our own. */
export const fileNameOf = (disposition: string | null, format: 'csv' | 'jsonl'): string =>
  /filename="([^"]+)"/.exec(disposition ?? '')?.[1] ?? `polymux-audit.${format}`;
