import { signWebhook } from './webhook-signature';

describe('webhook signature', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret', () => {
    // printf '%s' '1767225600.{"id":"evt"}' | openssl dgst -sha256 -hmac 'whsec_test' -hex
    expect(signWebhook('whsec_test', '1767225600', '{"id":"evt"}')).toBe(
      'v1=84735707d40f99c717fca15841b49ff0f5cc4c9a5e0894df10432ced79aa118a',
    );
  });

  it('changes with the secret, the timestamp and every byte of the body', () => {
    const signature = signWebhook('whsec_test', '1767225600', '{"id":"evt"}');
    expect(signWebhook('whsec_other', '1767225600', '{"id":"evt"}')).not.toBe(signature);
    expect(signWebhook('whsec_test', '1767225601', '{"id":"evt"}')).not.toBe(signature);
    expect(signWebhook('whsec_test', '1767225600', '{"id":"evu"}')).not.toBe(signature);
  });
});
