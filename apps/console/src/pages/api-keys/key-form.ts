import type { paths } from '../../api/schema';
import type { KeyEndpoint } from '../../api/types';

export type CreateKeyBody =
  paths['/admin/v1/projects/{projectId}/keys']['post']['requestBody']['content']['application/json'];

export const ENDPOINTS: ReadonlyArray<{ value: KeyEndpoint; label: string }> = [
  { value: 'chat.completions', label: 'Chat Completions' },
  { value: 'responses', label: 'Responses' },
  { value: 'messages', label: 'Anthropic Messages' },
  { value: 'embeddings', label: 'Embeddings' },
  { value: 'models', label: 'Model list' },
  { value: 'routing.explain', label: 'Routing explain' },
];

/** What the create form holds, as typed. */
export interface KeyFormValues {
  name: string;
  personal: boolean;
  models: string;
  endpoints: KeyEndpoint[];
  rpm: string;
  tpm: string;
  maxConcurrent: string;
  expiresOn: string;
  ipAllowlist: string;
}

export const EMPTY_FORM: KeyFormValues = {
  name: '',
  personal: false,
  models: '',
  endpoints: [],
  rpm: '',
  tpm: '',
  maxConcurrent: '',
  expiresOn: '',
  ipAllowlist: '',
};

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
const count = (text: string) => (text.trim() === '' ? undefined : Number(text));

/**
 * The body of `POST /admin/v1/projects/{id}/keys` from the form: empty fields are left out (no
 * limit, any model, every endpoint, any address, no expiry); an expiry date is the end of that day, UTC.
 */
export const createKeyBody = (values: KeyFormValues, userId: string | null): CreateKeyBody => {
  const models = list(values.models);
  const addresses = list(values.ipAllowlist);
  const rpm = count(values.rpm);
  const tpm = count(values.tpm);
  const maxConcurrent = count(values.maxConcurrent);
  return {
    name: values.name.trim(),
    ...(values.personal && userId ? { userId } : {}),
    ...(models.length > 0 ? { allowedModels: models } : {}),
    ...(values.endpoints.length > 0 ? { allowedEndpoints: values.endpoints } : {}),
    ...(addresses.length > 0 ? { ipAllowlist: addresses } : {}),
    ...(rpm === undefined ? {} : { rpm }),
    ...(tpm === undefined ? {} : { tpm }),
    ...(maxConcurrent === undefined ? {} : { maxConcurrent }),
    ...(values.expiresOn ? { expiresAt: `${values.expiresOn}T23:59:59Z` } : {}),
  };
};
