import { describe, expect, it } from 'vitest';

import { EMPTY_FORM, createKeyBody } from './key-form';

describe('createKeyBody', () => {
  it('leaves empty fields out: no limit, any model, every endpoint, any address, no expiry', () => {
    expect(createKeyBody({ ...EMPTY_FORM, name: ' ci ' }, 'user-1')).toEqual({ name: 'ci' });
  });

  it('carries every scope and limit the API takes', () => {
    const body = createKeyBody(
      {
        name: 'batch',
        personal: true,
        models: 'gpt-4.1-mini, fast\nclaude-sonnet-4-5',
        endpoints: ['chat.completions', 'embeddings'],
        rpm: '60',
        tpm: '100000',
        maxConcurrent: '4',
        expiresOn: '2027-03-31',
        ipAllowlist: '10.0.0.0/8, 192.0.2.7',
      },
      'user-1',
    );
    expect(body).toEqual({
      name: 'batch',
      userId: 'user-1',
      allowedModels: ['gpt-4.1-mini', 'fast', 'claude-sonnet-4-5'],
      allowedEndpoints: ['chat.completions', 'embeddings'],
      ipAllowlist: ['10.0.0.0/8', '192.0.2.7'],
      rpm: 60,
      tpm: 100000,
      maxConcurrent: 4,
      expiresAt: '2027-03-31T23:59:59Z',
    });
  });

  it('makes a service key when not personal, or when there is no user (the operator)', () => {
    expect(createKeyBody({ ...EMPTY_FORM, name: 'a' }, 'user-1')).not.toHaveProperty('userId');
    expect(createKeyBody({ ...EMPTY_FORM, name: 'a', personal: true }, null)).not.toHaveProperty('userId');
  });
});
