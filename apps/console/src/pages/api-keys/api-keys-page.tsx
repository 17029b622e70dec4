import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { ApiKey, KeyWithSecret, Page } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { ProjectPicker, useProjectSelection } from '../../shell/project-picker';
import { Pager, useCursors } from '../../ui/pager';
import { SecretOnce } from '../../ui/secret-once';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { CreateKeyForm } from './create-key-form';
import { RevokeDialog, RotateDialog } from './key-dialogs';
import { KeyTable } from './key-table';

const PAGE_SIZE = 20;
type Status = 'active' | 'revoked' | 'all';

/** A project's API keys, paged as the API pages them: create (secret shown once), rotate, revoke. */
export default function ApiKeysPage() {
  const { me } = useAuth();
  const selection = useProjectSelection();
  const project = selection.project;
  const [status, setStatus] = useState<Status>('active');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<KeyWithSecret | null>(null);
  const [dialog, setDialog] = useState<{ kind: 'rotate' | 'revoke'; key: ApiKey } | null>(null);
  // Another project or filter: its own first page (a cursor belongs to one list).
  const pages = useCursors(`${project?.id}:${status}`);
  const cursor = pages.cursor;
  const keys = useQuery({
    queryKey: ['keys', project?.id, status, cursor],
    queryFn: () =>
      call<Page<ApiKey>>(
        api.GET('/admin/v1/projects/{projectId}/keys', {
          params: {
            path: { projectId: project!.id },
            query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(status === 'all' ? {} : { status }) },
          },
        }),
      ),
    enabled: !!project,
    placeholderData: keepPreviousData,
  });
  const canWrite = can(me, 'key.write');
  return (
    <article className="page">
      <h1>API keys</h1>
      <ProjectPicker selection={selection} />
      {project && (
        <>
          <div className="toolbar">
            <label>
              Show
              <select value={status} onChange={(event) => setStatus(event.target.value as Status)}>
                <option value="active">Active keys</option>
                <option value="revoked">Revoked keys</option>
                <option value="all">All keys</option>
              </select>
            </label>
            {canWrite && !creating && (
              <button type="button" className="primary" onClick={() => (setCreating(true), setCreated(null))}>
                Create key
              </button>
            )}
          </div>
          {created && <SecretOnce name={created.name} secret={created.key} onDone={() => setCreated(null)} />}
          {creating && (
            <CreateKeyForm
              project={project}
              onCancel={() => setCreating(false)}
              onCreated={(key) => (setCreated(key), setCreating(false), pages.restart())}
            />
          )}
          {keys.isPending && <Loading what="keys" />}
          {keys.error && <ErrorState error={keys.error} what="load the keys" onRetry={() => keys.refetch()} />}
          {keys.data && keys.data.data.length === 0 && pages.first && (
            <Empty title={status === 'revoked' ? 'No revoked keys' : 'No keys in this project yet'}>
              {canWrite && status !== 'revoked' && <p>Create one with “Create key”.</p>}
            </Empty>
          )}
          {keys.data && keys.data.data.length > 0 && (
            <KeyTable
              keys={keys.data.data}
              canWrite={canWrite}
              onRotate={(key) => setDialog({ kind: 'rotate', key })}
              onRevoke={(key) => setDialog({ kind: 'revoke', key })}
            />
          )}
          <Pager label="Key pages" pages={pages} nextCursor={keys.data?.nextCursor} />
        </>
      )}
      {dialog?.kind === 'rotate' && <RotateDialog apiKey={dialog.key} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'revoke' && <RevokeDialog apiKey={dialog.key} onClose={() => setDialog(null)} />}
    </article>
  );
}
