import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import { countTokens } from 'gpt-tokenizer/cjs/encoding/cl100k_base';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

const STRONG = 'claude-sonnet-4-5';
const SMALL = 'gpt-4.1-nano';
const PROMPT = 'Hi there, how are you today?';

interface Explanation {
  task: string;
  complexity: string;
  confidence: number;
  signals: Record<string, unknown>;
  strategy: string;
  model: string;
  deploymentId: string;
  fallbacks: Array<{ model: string; deploymentId: string }>;
  candidates: Array<{ deploymentId: string; model: string; kept: boolean; score?: number; reason: string }>;
}

/**
 * Routing policies end to end: stored through the admin API (validated, audited), resolved with the
 * key by control, carried by ingress to the router with each plan, changing which model a call and
 * `POST /v1/routing/explain` choose; explain in both wire formats, without a reservation or charge.
 */
describe.each(MODES)('routing policies and explain (%s mode)', (mode) => {
  let gateway: Gateway;
  let key: { id: string; key: string };

  const raw = (method: string, path: string, body?: unknown) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const explainOpenAi = async (model = 'auto') => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/routing/explain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: PROMPT }], max_tokens: 16 }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Explanation };
  };
  const explainAnthropic = async (body: unknown) => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/routing/explain`, {
      method: 'POST',
      headers: { 'x-api-key': key.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
  };
  const call = async () => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: PROMPT }], max_tokens: 16 }),
    });
    expect(response.status).toBe(200);
    await response.json();
    return response.headers.get('x-polymux-model');
  };
  /** Explains until the key's cached policy is the one just stored (the change is a broadcast). */
  const explainOnce = (strategy: string) =>
    pollUntil(
      () => explainOpenAi(),
      (explained) => explained.body.strategy === strategy,
      { timeoutMs: 10_000 },
    );

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'policies',
      catalogFile: join(__dirname, 'routing-policies.catalog.yaml'),
    });
    key = await gateway.admin('POST', `/projects/${gateway.projectId}/keys`, { name: 'policy key' });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('validates policies and their scopes, in OpenAI error format', async () => {
    const invalid = await raw('PUT', `/routing-policies/key/${key.id}`, { strategy: { type: 'random' } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'strategy.type' } });
    expect((await raw('PUT', `/routing-policies/galaxy/${key.id}`, {})).status).toBe(404);
    expect((await raw('PUT', '/routing-policies/project/00000000-0000-4000-8000-000000000000', {})).status).toBe(404);
    expect((await raw('GET', `/routing-policies/key/${key.id}`)).status).toBe(404);
  });

  it("changes the model a key's calls and explanations choose, and stops when the policy is deleted", async () => {
    const before = await explainOnce('cheapest-capable');
    expect(before.status).toBe(200);
    expect(await call()).toBe(before.body.model);

    const stored = await gateway.admin<{ id: string; scope: string; policy: unknown }>(
      'PUT',
      `/routing-policies/key/${key.id}`,
      { strategy: { type: 'best-quality' } },
    );
    expect(stored).toMatchObject({ scope: 'key', policy: { strategy: { type: 'best-quality' } } });
    const listed = await gateway.admin<{ data: Array<{ id: string }> }>('GET', '/routing-policies');
    expect(listed.data.map((policy) => policy.id)).toContain(stored.id);

    const after = await explainOnce('best-quality');
    expect(after.body).toMatchObject({ model: STRONG, deploymentId: 'anthropic/claude-sonnet-4-5' });
    expect(after.headers.get('x-polymux-model')).toBe(STRONG);
    expect(await call()).toBe(STRONG);

    // A project-level denial holds under the key's own policy: restrictions accumulate.
    await gateway.admin('PUT', `/routing-policies/project/${gateway.projectId}`, { denyModels: [STRONG] });
    const denied = await pollUntil(
      () => explainOpenAi(),
      (explained) => explained.body.model === SMALL,
      { timeoutMs: 10_000 },
    );
    expect(denied.body.candidates).toContainEqual(
      expect.objectContaining({ model: STRONG, kept: false, reason: 'is denied by the routing policy' }),
    );
    expect(await call()).toBe(SMALL);

    await gateway.admin('DELETE', `/routing-policies/project/${gateway.projectId}`);
    await gateway.admin('DELETE', `/routing-policies/key/${key.id}`);
    expect((await explainOnce('cheapest-capable')).body.model).toBe(before.body.model);
    expect((await raw('GET', `/routing-policies/key/${key.id}`)).status).toBe(404);

    const audit = await pollUntil(
      () => gateway.admin<{ data: Array<{ action: string; target: string }> }>('GET', '/audit?limit=1000'),
      (records) => records.data.filter((record) => record.target === `routing_policy:key:${key.id}`).length >= 2,
      { timeoutMs: 15_000 },
    );
    const actions = audit.data
      .filter((record) => record.target === `routing_policy:key:${key.id}`)
      .map((record) => record.action);
    expect(actions).toEqual(expect.arrayContaining(['routing_policy.set', 'routing_policy.delete']));
  });

  it('explains an OpenAI body: task, complexity, signals, scored candidates, model and fallbacks, with no hold', async () => {
    const balance = () =>
      gateway.admin<{ balanceNanoUsd: string; reservedNanoUsd: string }>(
        'GET',
        `/projects/${gateway.projectId}/balance`,
      );
    const held = await balance();
    const explained = await explainOpenAi();
    expect(explained.status).toBe(200);
    expect(explained.body).toMatchObject({
      task: expect.any(String),
      complexity: expect.stringMatching(/^(low|medium|high)$/),
      confidence: expect.any(Number),
      signals: expect.objectContaining({ hasTools: false, messageCount: 1 }),
    });
    const kept = explained.body.candidates.filter((candidate) => candidate.kept);
    expect(kept[0]).toMatchObject({ model: explained.body.model, score: expect.any(Number) });
    expect(explained.body.fallbacks).toEqual(
      kept.slice(1).map((candidate) => ({ model: candidate.model, deploymentId: candidate.deploymentId })),
    );
    expect(await balance()).toEqual(held);
  });

  it('counts the input with a real tokenizer in the classifier, where four characters a token would under-count Chinese', async () => {
    const text = '请把下面这段关于公司季度财务状况的说明翻译成英文，并保留所有数字和专有名词。'.repeat(10);
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/routing/explain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: text }] }),
    });
    expect(response.status).toBe(200);
    const explained = (await response.json()) as Explanation & {
      inputTokens: number;
      signals: { estimatedInputTokens: number; textChars: number };
    };
    const framing = explained.signals.estimatedInputTokens - Math.ceil(explained.signals.textChars / 4);
    expect(explained.signals.textChars).toBe(text.length);
    expect(explained.inputTokens).toBe(countTokens(text) + framing);
    expect(explained.inputTokens).toBeGreaterThan(2 * explained.signals.estimatedInputTokens);
  });

  it('explains an Anthropic body the same way, and answers errors in each caller’s format', async () => {
    const openai = await explainOpenAi();
    const anthropic = await explainAnthropic({
      model: 'auto',
      max_tokens: 16,
      messages: [{ role: 'user', content: PROMPT }],
    });
    expect(anthropic.status).toBe(200);
    expect(anthropic.headers.get('request-id')).toBeTruthy();
    expect(anthropic.body).toMatchObject({ model: openai.body.model, task: openai.body.task });

    const badAnthropic = await explainAnthropic({ model: 'auto', messages: 'nope' });
    expect(badAnthropic.status).toBe(400);
    expect(badAnthropic.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const unknown = await explainOpenAi('no-such-model');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'model_not_found' } });
  });
});
