import type { ApiKey } from '../../api/types';

const date = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const listOr = (items: string[] | null, none: string) => (items ? items.join(', ') : none);

const statusOf = (key: ApiKey, now: number) => {
  if (key.revokedAt) return `Revoked ${date(key.revokedAt)}`;
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'Expired';
  return 'Active';
};

const limitsOf = (key: ApiKey) => {
  const parts = [
    key.rpm && `${key.rpm} req/min`,
    key.tpm && `${key.tpm} tokens/min`,
    key.maxConcurrent && `${key.maxConcurrent} concurrent`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'None at the key';
};

/**
 * The keys of a page, with their scopes, limits and last use (ingress reports uses in batches: up to
 * half a minute late); actions only for those the principal may change.
 */
export function KeyTable({
  keys,
  canWrite,
  onRotate,
  onRevoke,
}: {
  keys: ApiKey[];
  canWrite: boolean;
  onRotate: (key: ApiKey) => void;
  onRevoke: (key: ApiKey) => void;
}) {
  const now = Date.now();
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="API keys">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Limits</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            {canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const active = !key.revokedAt;
            return (
              <tr key={key.id} data-key-id={key.id}>
                <th scope="row">
                  {key.name}
                  <div className="hint">{key.admin ? 'Operator key' : key.userId ? 'Personal key' : 'Service key'}</div>
                </th>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>
                  <div>Models: {listOr(key.allowedModels, 'any')}</div>
                  <div>Endpoints: {listOr(key.allowedEndpoints, 'all')}</div>
                  <div>Addresses: {listOr(key.ipAllowlist, 'any')}</div>
                </td>
                <td>{limitsOf(key)}</td>
                <td>
                  {date(key.createdAt)}
                  {key.rotatedAt && <div className="hint">Rotated {date(key.rotatedAt)}</div>}
                  {key.previousSecretExpiresAt && Date.parse(key.previousSecretExpiresAt) > now && (
                    <div className="hint">Old secret works until {date(key.previousSecretExpiresAt)}</div>
                  )}
                </td>
                <td>{key.lastUsedAt ? date(key.lastUsedAt) : 'Never'}</td>
                <td>{key.expiresAt ? date(key.expiresAt) : 'Never'}</td>
                <td>{statusOf(key, now)}</td>
                {canWrite && (
                  <td className="row-actions">
                    {active && (
                      <>
                        <button type="button" onClick={() => onRotate(key)} aria-label={`Rotate ${key.name}`}>
                          Rotate
                        </button>
                        <button
                          type="button"
                          className="danger"
                          onClick={() => onRevoke(key)}
                          aria-label={`Revoke ${key.name}`}
                        >
                          Revoke
                        </button>
                      </>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
