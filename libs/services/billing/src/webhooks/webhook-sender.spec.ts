import type { PolymuxConfig } from '@polymux/config';

import { WebhookSender, outcomeOf } from './webhook-sender';

const sender = (allowLoopbackHttp: boolean) =>
  new WebhookSender({
    webhooks: { allowLoopbackHttp, timeoutMs: 1_000, maxAttempts: 3, retryBaseMs: 100 },
  } as PolymuxConfig);

describe('webhook sender', () => {
  it('delivers on 2xx, retries 408, 429 and 5xx, and fails any other answer at once', () => {
    expect(outcomeOf(200)).toEqual({ kind: 'delivered', statusCode: 200 });
    expect(outcomeOf(204)).toEqual({ kind: 'delivered', statusCode: 204 });
    for (const status of [408, 429, 500, 502, 503])
      expect(outcomeOf(status)).toEqual({ kind: 'retry', statusCode: status, error: `HTTP ${status}` });
    for (const status of [400, 401, 404, 410]) expect(outcomeOf(status)).toMatchObject({ kind: 'rejected' });
    expect(outcomeOf(301)).toEqual({
      kind: 'rejected',
      statusCode: 301,
      error: 'HTTP 301: redirects are not followed',
    });
  });

  it('takes https to public addresses, and plain http to loopback only when the dev setting allows it', async () => {
    await expect(sender(false).checkUrl('https://8.8.8.8/hook')).resolves.toBe('https://8.8.8.8/hook');
    await expect(sender(false).checkUrl('http://127.0.0.1:8080/hook')).rejects.toMatchObject({
      message: 'url must be an https URL',
    });
    await expect(sender(true).checkUrl('http://127.0.0.1:8080/hook')).resolves.toBe('http://127.0.0.1:8080/hook');
    await expect(sender(true).checkUrl('http://8.8.8.8/hook')).rejects.toMatchObject({ details: { param: 'url' } });
    for (const refused of ['https://10.0.0.1/', 'https://169.254.169.254/', 'https://127.0.0.1/', 'ftp://8.8.8.8/'])
      await expect(sender(false).checkUrl(refused)).rejects.toMatchObject({ details: { param: 'url' } });
    await expect(sender(true).checkUrl('https://192.168.1.1/')).rejects.toMatchObject({ details: { param: 'url' } });
  });

  it('refuses to connect to an address the policy does not allow, whatever was stored', async () => {
    await expect(sender(false).post('https://10.0.0.1/hook', {}, '{}')).resolves.toEqual({
      kind: 'rejected',
      statusCode: null,
      error: 'refused by the SSRF guard',
    });
  });
});
