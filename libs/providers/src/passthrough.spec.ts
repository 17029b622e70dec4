import { RETENTION_FIELDS, passthrough } from './passthrough';

describe('passthrough', () => {
  it('keeps the fields every candidate provider accepts and names the rest', () => {
    expect(
      passthrough({ verbosity: 'low', functions: [], logit_bias: { 42: 1 } }, ['openai', 'openai'], false),
    ).toEqual({ extra: { verbosity: 'low', logit_bias: { 42: 1 } }, dropped: ['functions'] });
  });

  it('drops what a provider without an allowlist would receive', () => {
    expect(passthrough({ verbosity: 'low' }, ['openai', 'unknown-provider'], true)).toEqual({
      dropped: ['verbosity'],
    });
  });

  it('drops fields that ask the provider to retain data unless the project allows it', () => {
    const extra = { store: true, metadata: { team: 'a' }, previous_response_id: 'resp_1', service_tier: 'auto' };
    expect(passthrough(extra, ['openai'], false)).toEqual({
      extra: { service_tier: 'auto' },
      dropped: ['store', 'metadata', 'previous_response_id'],
    });
    expect(passthrough(extra, ['openai'], true)).toEqual({
      extra: { store: true, metadata: { team: 'a' }, service_tier: 'auto' },
      dropped: ['previous_response_id'],
    });
    expect([...RETENTION_FIELDS]).toEqual(expect.arrayContaining(['store', 'metadata']));
  });

  it('has nothing to say about a request without extra fields', () => {
    expect(passthrough(undefined, ['openai'], false)).toEqual({ dropped: [] });
  });
});
