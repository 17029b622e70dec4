import { REDACTED, isSecretField, metadataWithoutSecrets, stateOf, withoutSecrets } from './audit-state';

describe('audit states without secrets', () => {
  it('redacts secret-named fields at any depth, keeping the field so the change shows', () => {
    expect(
      withoutSecrets({
        name: 'sim key',
        value: 'sk-live-0123456789abcdefghij',
        settings: { secretAccessKey: 'aws-secret', accessKeyId: 'AKIAEXAMPLE', region: 'eu-west-1' },
        keyHash: 'f'.repeat(64),
        webhook_secret: 'whsec_x',
        list: [{ apiKey: 'x', model: 'gpt' }],
      }),
    ).toEqual({
      name: 'sim key',
      value: REDACTED,
      settings: { secretAccessKey: REDACTED, accessKeyId: 'AKIAEXAMPLE', region: 'eu-west-1' },
      keyHash: REDACTED,
      webhook_secret: REDACTED,
      list: [{ apiKey: REDACTED, model: 'gpt' }],
    });
  });

  it('keeps fields that name a secret without holding it, and counts that merely contain a word', () => {
    for (const field of ['credentialRef', 'keyId', 'secretPrefix', 'credentialIds', 'tokenCount', 'revokedAt'])
      expect(isSecretField(field)).toBe(false);
    for (const field of ['inputTokens', 'maxTokens', 'rpm', 'hardLimit', 'dataRetention'])
      expect(isSecretField(field)).toBe(false);
    for (const field of ['key', 'secret', 'key_hash', 'private-key', 'password', 'authorization', 'sealed'])
      expect(isSecretField(field)).toBe(true);
  });

  it('redacts secret-shaped values in any other string: keys, webhook secrets, bearer tokens', () => {
    const key = `pmx-${'A'.repeat(43)}`;
    expect(
      withoutSecrets({ note: `rotated ${key}`, header: 'Bearer abcdefghijklmnopqrstuvwxyz', prefix: 'pmx-abcdef' }),
    ).toEqual({ note: `rotated ${REDACTED}`, header: REDACTED, prefix: 'pmx-abcdef' });
    expect(metadataWithoutSecrets({ reason: `whsec_${'b'.repeat(43)} leaked`, token: 'x', n: 3 })).toEqual({
      reason: `${REDACTED} leaked`,
      token: REDACTED,
      n: 3,
    });
  });

  it('turns any JSON-shaped value into a state, as JSON keeps it', () => {
    expect(stateOf({ a: 1, b: undefined, c: { d: [1, 'x'] } })).toEqual({ a: 1, c: { d: [1, 'x'] } });
  });
});
