/** Models `GET /v1/models` lists; chat and embeddings answer for any model name. */
export const SIM_MODELS = [
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-4o',
  'gpt-4o-mini',
  'o4-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
] as const;

const CREATED = 1_700_000_000;

export const modelObject = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'polymux-sim' });

export const modelsBody = () => ({ object: 'list', data: SIM_MODELS.map(modelObject) });
