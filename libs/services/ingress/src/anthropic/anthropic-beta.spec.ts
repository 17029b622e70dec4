import type { ChatRequest } from '@polymux/contracts';

import { withAnthropicBeta } from './anthropic-beta';
import { anthropicMessages } from './messages.format';

const body = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
const decode = (headers?: Record<string, string>, extra: Record<string, unknown> = {}) =>
  anthropicMessages.decode({ ...body, ...extra }, { dataRetention: false, dropped: [], headers });

describe('the anthropic-beta header', () => {
  it('is read by the Messages format, and only that header', () => {
    expect(anthropicMessages.headers).toEqual(['anthropic-beta']);
  });

  it('becomes extra.anthropic_beta, trimmed, unfiltered (the adapter keeps its allowlist)', () => {
    const request = decode({ 'anthropic-beta': ' interleaved-thinking-2025-05-14 , files-api-2025-04-14,' });
    expect(request.extra).toEqual({ anthropic_beta: 'interleaved-thinking-2025-05-14,files-api-2025-04-14' });
  });

  it('leaves the request without extra when absent or empty', () => {
    expect(decode().extra).toBeUndefined();
    expect(decode({ 'anthropic-beta': ' , ' }).extra).toBeUndefined();
  });

  it('joins the betas a body named, keeping its other extra fields', () => {
    const request = decode({ 'anthropic-beta': 'b' }, { anthropic_beta: ['a'], service_tier: 'auto' });
    expect(request.extra).toEqual({ anthropic_beta: ['a', 'b'], service_tier: 'auto' });
  });

  it('does not touch the request it was given', () => {
    const request: ChatRequest = { model: 'm', messages: [], stream: false, extra: { x: 1 } };
    expect(withAnthropicBeta(request, 'a').extra).toEqual({ x: 1, anthropic_beta: 'a' });
    expect(request.extra).toEqual({ x: 1 });
  });
});
