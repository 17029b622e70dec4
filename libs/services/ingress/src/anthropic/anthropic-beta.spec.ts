import type { ChatRequest } from '@polymux/contracts';

import { withAnthropicBeta } from './anthropic-beta';
import { anthropicMessages } from './messages.format';

const body = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
const decode = (headers?: Record<string, string>, extra: Record<string, unknown> = {}, dropped: string[] = []) =>
  anthropicMessages.decode({ ...body, ...extra }, { dataRetention: false, dropped, headers });

describe('the anthropic-beta header', () => {
  it('is read by the Messages format, and only that header', () => {
    expect(anthropicMessages.headers).toEqual(['anthropic-beta']);
  });

  it('becomes extra.anthropic_beta, trimmed, with only the betas of the allowlist', () => {
    const dropped: string[] = [];
    const request = decode({ 'anthropic-beta': ' interleaved-thinking-2025-05-14 , pdfs-2024-09-25,' }, {}, dropped);
    expect(request.extra).toEqual({ anthropic_beta: 'interleaved-thinking-2025-05-14,pdfs-2024-09-25' });
    expect(dropped).toEqual([]);
  });

  it('ignores a beta off the allowlist, and names anthropic_beta dropped once', () => {
    const dropped: string[] = [];
    const request = decode(
      { 'anthropic-beta': 'files-api-2025-04-14,interleaved-thinking-2025-05-14,mcp-client-2025-04-04' },
      {},
      dropped,
    );
    expect(request.extra).toEqual({ anthropic_beta: 'interleaved-thinking-2025-05-14' });
    expect(dropped).toEqual(['anthropic_beta']);
    const none: string[] = [];
    expect(decode({ 'anthropic-beta': 'files-api-2025-04-14' }, {}, none).extra).toBeUndefined();
    expect(none).toEqual(['anthropic_beta']);
  });

  it('leaves the request without extra when absent or empty', () => {
    expect(decode().extra).toBeUndefined();
    expect(decode({ 'anthropic-beta': ' , ' }).extra).toBeUndefined();
  });

  it('joins the betas a body named, keeping its other extra fields', () => {
    const request = decode({ 'anthropic-beta': 'pdfs-2024-09-25' }, { anthropic_beta: ['a'], service_tier: 'auto' });
    expect(request.extra).toEqual({ anthropic_beta: ['a', 'pdfs-2024-09-25'], service_tier: 'auto' });
  });

  it('does not touch the request it was given', () => {
    const request: ChatRequest = { model: 'm', messages: [], stream: false, extra: { x: 1 } };
    expect(withAnthropicBeta(request, 'pdfs-2024-09-25', []).extra).toEqual({
      x: 1,
      anthropic_beta: 'pdfs-2024-09-25',
    });
    expect(request.extra).toEqual({ x: 1 });
  });
});
