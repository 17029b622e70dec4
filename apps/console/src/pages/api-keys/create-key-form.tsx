import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';

import { api, call } from '../../api/client';
import type { KeyEndpoint, KeyWithSecret, Project } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { createdKeys } from '../../auth/created-keys';
import { ownOnly } from '../../auth/permissions';
import { FormActions } from '../../ui/dialog';
import { ErrorState } from '../../ui/states';
import type { KeyFormValues } from './key-form';
import { EMPTY_FORM, ENDPOINTS, createKeyBody } from './key-form';

/** A new key with the scopes and limits the admin API takes; the answer (with the secret) goes to `onCreated`. */
export function CreateKeyForm({
  project,
  onCreated,
  onCancel,
}: {
  project: Project;
  onCreated: (key: KeyWithSecret) => void;
  onCancel: () => void;
}) {
  const { me } = useAuth();
  const personalOnly = ownOnly(me, 'key.write');
  const [values, setValues] = useState<KeyFormValues>({ ...EMPTY_FORM, personal: personalOnly });
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () =>
      call<KeyWithSecret>(
        api.POST('/admin/v1/projects/{projectId}/keys', {
          params: { path: { projectId: project.id } },
          body: createKeyBody(values, me?.user?.id ?? null),
        }),
      ),
    onSuccess: (created) => {
      createdKeys.add(created);
      void queryClient.invalidateQueries({ queryKey: ['keys', project.id] });
      onCreated(created);
    },
  });
  const set = <K extends keyof KeyFormValues>(name: K, value: KeyFormValues[K]) =>
    setValues((current) => ({ ...current, [name]: value }));
  const toggleEndpoint = (endpoint: KeyEndpoint, on: boolean) =>
    set('endpoints', on ? [...values.endpoints, endpoint] : values.endpoints.filter((e) => e !== endpoint));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const number = (name: 'rpm' | 'tpm' | 'maxConcurrent', label: string) => (
    <label>
      {label}
      <input type="number" min={1} step={1} value={values[name]} onChange={(event) => set(name, event.target.value)} />
    </label>
  );
  return (
    <form className="card key-form" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">New key for {project.name}</h2>
      <label>
        Name
        <input required maxLength={200} value={values.name} onChange={(event) => set('name', event.target.value)} />
      </label>
      {me?.user && (
        <label className="check">
          <input
            type="checkbox"
            checked={values.personal}
            disabled={personalOnly}
            onChange={(event) => set('personal', event.target.checked)}
          />
          Personal key (mine{personalOnly ? ': the only kind your roles create' : ''})
        </label>
      )}
      <label>
        Allowed models and aliases
        <input
          value={values.models}
          placeholder="any"
          aria-describedby="models-help"
          onChange={(event) => set('models', event.target.value)}
        />
      </label>
      <p id="models-help" className="hint">
        Comma-separated; empty: any model.
      </p>
      <fieldset>
        <legend>Allowed endpoints (none ticked: every one)</legend>
        {ENDPOINTS.map((endpoint) => (
          <label key={endpoint.value} className="check">
            <input
              type="checkbox"
              checked={values.endpoints.includes(endpoint.value)}
              onChange={(event) => toggleEndpoint(endpoint.value, event.target.checked)}
            />
            {endpoint.label}
          </label>
        ))}
      </fieldset>
      <fieldset className="row">
        <legend>Rate limits (empty: none at the key)</legend>
        {number('rpm', 'Requests per minute')}
        {number('tpm', 'Tokens per minute')}
        {number('maxConcurrent', 'Concurrent calls')}
      </fieldset>
      <label>
        Expires on (end of day, UTC)
        <input type="date" value={values.expiresOn} onChange={(event) => set('expiresOn', event.target.value)} />
      </label>
      <label>
        IP allowlist
        <input
          value={values.ipAllowlist}
          placeholder="any address"
          aria-describedby="ips-help"
          onChange={(event) => set('ipAllowlist', event.target.value)}
        />
      </label>
      <p id="ips-help" className="hint">
        Addresses or CIDR ranges, comma-separated; empty: any address.
      </p>
      {create.error && <ErrorState error={create.error} what="create the key" />}
      <FormActions
        submit={create.isPending ? 'Creating…' : 'Create key'}
        pending={create.isPending}
        onCancel={onCancel}
      />
    </form>
  );
}
