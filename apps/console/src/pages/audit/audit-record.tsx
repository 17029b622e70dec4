import type { AuditRecord } from '../../api/types';
import { Dialog } from '../../ui/dialog';

const json = (value: unknown) => (value === null || value === undefined ? 'null' : JSON.stringify(value, null, 2));

/** One record whole: who, what, where, and the state before and after, as the API gives it (secrets already removed). */
export function AuditRecordDetails({ record, onClose }: { record: AuditRecord; onClose: () => void }) {
  const facts: Array<[string, string | number | null]> = [
    ['Sequence', record.seq],
    ['Id', record.id],
    ['When', new Date(record.occurredAt).toLocaleString()],
    ['Category', record.category],
    ['Action', record.action],
    ['Outcome', record.outcome],
    ['Actor key', record.actorKeyId],
    ['Actor user', record.actorUserId],
    ['From address', record.sourceAddress],
    ['Organisation', record.orgId],
    ['Project', record.projectId],
    ['Request', record.requestId],
    ['Target', record.target],
    ['Hash', record.hash],
  ];
  return (
    <Dialog title={`Audit record ${record.seq}: ${record.action}`} onClose={onClose}>
      <div className="record-details" data-testid="audit-record" tabIndex={0} role="region" aria-label="Record">
        <dl className="facts">
          {facts.map(([label, value]) => (
            <div key={label} className="fact">
              <dt>{label}</dt>
              <dd>{value === null ? '—' : <code>{value}</code>}</dd>
            </div>
          ))}
        </dl>
        <h3>Metadata</h3>
        <pre>{json(record.metadata)}</pre>
        <h3>Before</h3>
        <pre data-testid="audit-before">{record.before === null ? 'None' : json(record.before)}</pre>
        <h3>After</h3>
        <pre data-testid="audit-after">{record.after === null ? 'None' : json(record.after)}</pre>
      </div>
      <div className="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
