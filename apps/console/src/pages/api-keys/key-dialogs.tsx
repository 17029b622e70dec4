import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { ApiKey, KeyWithSecret } from '../../api/types';
import { Dialog, FormActions } from '../../ui/dialog';
import { SecretOnce } from '../../ui/secret-once';
import { ErrorState } from '../../ui/states';

const OVERLAPS = [
  { seconds: 0, label: 'None: the current secret stops now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
];

/** A new secret; the current one keeps working for the chosen overlap. */
export function RotateDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [overlap, setOverlap] = useState(86_400);
  const rotate = useMutation({
    mutationFn: () =>
      call<KeyWithSecret>(
        api.POST('/admin/v1/keys/{keyId}/rotate', {
          params: { path: { keyId: apiKey.id } },
          body: { overlapSeconds: overlap },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['keys', apiKey.projectId] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rotate.mutate();
  };
  return (
    <Dialog title={`Rotate “${apiKey.name}”`} onClose={onClose}>
      {rotate.data ? (
        <SecretOnce name={rotate.data.name} secret={rotate.data.key} onDone={onClose} />
      ) : (
        <form onSubmit={submit}>
          <label>
            The current secret keeps working for
            <select value={overlap} onChange={(event) => setOverlap(Number(event.target.value))}>
              {OVERLAPS.map((option) => (
                <option key={option.seconds} value={option.seconds}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          {rotate.error && <ErrorState error={rotate.error} what="rotate the key" />}
          <FormActions submit="Rotate" pending={rotate.isPending} onCancel={onClose} />
        </form>
      )}
    </Dialog>
  );
}

/** Revocation, confirmed: calls with the key are refused from then on. */
export function RevokeDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => call<ApiKey>(api.DELETE('/admin/v1/keys/{keyId}', { params: { path: { keyId: apiKey.id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['keys', apiKey.projectId] });
      onClose();
    },
  });
  return (
    <Dialog title={`Revoke “${apiKey.name}”?`} onClose={onClose}>
      <p>
        Every call with <code>{apiKey.prefix}…</code> is refused from now on. This cannot be undone.
      </p>
      {revoke.error && <ErrorState error={revoke.error} what="revoke the key" />}
      <div className="actions">
        <button type="button" className="danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
          Revoke key
        </button>
        <button type="button" onClick={onClose} autoFocus>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
