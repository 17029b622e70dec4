import type { ApiKeyRecord, ChatRequest, Deployment } from '@polymux/contracts';

import { dropDisallowedFields } from './dropped-fields';

const key = (dataRetention?: boolean): ApiKeyRecord => ({
  id: 'key-1',
  orgId: 'org-1',
  teamId: null,
  projectId: 'project-1',
  accountId: 'project:project-1',
  admin: false,
  allowedModels: null,
  expiresAt: null,
  ...(dataRetention === undefined ? {} : { dataRetention }),
});
const request = (extra?: Record<string, unknown>): ChatRequest => ({
  model: 'gpt-4.1-mini',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  extra,
});
const candidates = (...providers: string[]) => ({
  candidates: providers.map((provider, index) => ({ id: `d${index}`, provider }) as Deployment),
});

describe('dropDisallowedFields', () => {
  it('removes retention fields for a project without retention (absent means none) and names them', () => {
    const call = { key: key(), request: request({ store: true, metadata: { a: 'b' }, service_tier: 'auto' }) };
    expect(dropDisallowedFields(call, candidates('openai'))).toEqual(['store', 'metadata']);
    expect(call.request.extra).toEqual({ service_tier: 'auto' });
  });

  it('keeps them for a project that enables retention', () => {
    const call = { key: key(true), request: request({ store: true, metadata: { a: 'b' } }) };
    expect(dropDisallowedFields(call, candidates('openai'))).toEqual([]);
    expect(call.request.extra).toEqual({ store: true, metadata: { a: 'b' } });
  });

  it('removes what any candidate provider would not accept, so fallbacks send the same fields', () => {
    const call = { key: key(true), request: request({ verbosity: 'low', functions: [] }) };
    expect(dropDisallowedFields(call, candidates('openai', 'other'))).toEqual(['verbosity', 'functions']);
    expect(call.request.extra).toBeUndefined();
  });

  it('leaves a request without extra fields untouched', () => {
    const original = request();
    const call = { key: key(), request: original };
    expect(dropDisallowedFields(call, candidates('openai'))).toEqual([]);
    expect(call.request).toBe(original);
  });
});

describe('dropDisallowedFields with canonical fields', () => {
  it('names a canonical field an OpenAI candidate cannot carry before the extra ones, and removes it', () => {
    const call = { key: key(), request: { ...request({ store: true }), topK: 5 } };
    expect(dropDisallowedFields(call, candidates('openai'))).toEqual(['top_k', 'store']);
    expect(call.request).not.toHaveProperty('topK');
    expect(call.request.extra).toBeUndefined();
  });
});

describe('dropDisallowedFields with what a thinking Claude refuses', () => {
  const claude = (maxOutputTokens: number) => ({
    candidates: [{ id: 'claude', provider: 'anthropic', maxOutputTokens } as Deployment],
  });
  const thinking = (): ChatRequest => ({ ...request(), reasoning: { budgetTokens: 2_048 }, temperature: 0.5 });

  it('removes temperature and names it when the deployment leaves room for the thinking budget', () => {
    const call = { key: key(), request: thinking() };
    expect(dropDisallowedFields(call, claude(8_192))).toEqual(['temperature']);
    expect(call.request).not.toHaveProperty('temperature');
    expect(call.request.reasoning).toEqual({ budgetTokens: 2_048 });
  });

  it('keeps it when the deployment’s output limit leaves thinking off', () => {
    const call = { key: key(), request: thinking() };
    expect(dropDisallowedFields(call, claude(1_024))).toEqual([]);
    expect(call.request.temperature).toBe(0.5);
  });
});
