import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api, call } from '../../api/client';
import type { KeyWithSecret, Project } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { createdKeys } from '../../auth/created-keys';
import { ownOnly } from '../../auth/permissions';
import { ErrorState } from '../../ui/states';

/** One click: a key for the project (a personal one when the principal may create only those). */
export function CreateKeyButton({ project, onCreated }: { project: Project; onCreated: (key: KeyWithSecret) => void }) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () =>
      call<KeyWithSecret>(
        api.POST('/admin/v1/projects/{projectId}/keys', {
          params: { path: { projectId: project.id } },
          body: {
            name: `Get started ${new Date().toISOString().slice(0, 10)}`,
            ...(ownOnly(me, 'key.write') && me?.user ? { userId: me.user.id } : {}),
          },
        }),
      ),
    onSuccess: (created) => {
      createdKeys.add(created);
      void queryClient.invalidateQueries({ queryKey: ['keys', project.id] });
      onCreated(created);
    },
  });
  return (
    <>
      <button type="button" className="primary" disabled={create.isPending} onClick={() => create.mutate()}>
        {create.isPending ? 'Creating…' : `Create a key for ${project.name}`}
      </button>
      {create.error && <ErrorState error={create.error} what="create the key" />}
    </>
  );
}
