import { createHash } from 'node:crypto';
import { join } from 'node:path';

import Anthropic from '@anthropic-ai/sdk';
import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import type { KeyView } from './support/keys';
import { callFrom } from './support/keys';
import { countingFetch } from './support/counting-fetch';

jest.setTimeout(180_000);

/*
 * Key scopes end to end: set through the admin API (control → Postgres), carried to ingress with
 * the key record, changed at once on every replica by `control.key.changed.v1`, and refused in the
 * caller's format with a status the official SDKs do not retry. Ingress trusts only 127.0.0.1 as a
 * proxy here, so a call from 127.0.0.2 is a client whose X-Forwarded-For is not believed.
 */

const MESSAGES = [{ role: 'user' as const, content: 'Say hello.' }];

/** What a change answers within a second: every ingress replica hears it on `control.key.changed.v1`. */
const soon = <T>(probe: () => Promise<T>, accept: (value: T) => boolean) =>
  pollUntil(probe, accept, { timeoutMs: 1_000, intervalMs: 20 });
const status =
  (expected: number) =>
  (answer: { status: number }): boolean =>
    answer.status === expected;

describe.each(MODES)('API key scopes (%s mode)', (mode) => {
  let gateway: Gateway;

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'keyscopes',
      catalogFile: join(__dirname, 'key-scopes.catalog.yaml'),
      authenticatedNats: true,
      env: { POLYMUX_TRUSTED_PROXIES: '127.0.0.1/32' },
    });
  });
  afterAll(() => gateway?.stop());

  const newKey = (body: Record<string, unknown> = {}) =>
    gateway.admin<KeyView & { key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'scoped',
      ...body,
    });
  const patch = (id: string, body: Record<string, unknown>) => gateway.admin<KeyView>('PATCH', `/keys/${id}`, body);
  const raw = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: { authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error?: { message: string; param: string } } };
  };
  const chat = (key: string, model = 'fast-model') =>
    callFrom(gateway.stack.ingressUrl, key, { body: { model, messages: MESSAGES } });

  it('shows a key’s scopes once set, never its secret or hash after creation', async () => {
    const created = await newKey({
      allowedModels: ['quick'],
      allowedEndpoints: ['chat.completions', 'models', 'chat.completions'],
      ipAllowlist: ['203.0.113.0/24', ' 198.51.100.7', '2001:DB8::/32'],
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    expect(created.key).toMatch(/^pmx-[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      prefix: created.key.slice(0, 10),
      allowedModels: ['quick'],
      allowedEndpoints: ['chat.completions', 'models'],
      ipAllowlist: ['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32'],
      expiresAt: '2099-01-01T00:00:00.000Z',
      rotatedAt: null,
      previousSecretExpiresAt: null,
    });
    const listed = await gateway.admin<{ data: KeyView[] }>('GET', `/projects/${gateway.projectId}/keys`);
    const shown = listed.data.find((key) => key.id === created.id)!;
    expect(shown).not.toHaveProperty('key');
    expect(shown).toMatchObject({ allowedEndpoints: ['chat.completions', 'models'] });
    const text = JSON.stringify(listed);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(createHash('sha256').update(created.key).digest('hex'));
  });

  it('refuses an endpoint outside the scope in the caller’s format, and no SDK retries it', async () => {
    const { key, id } = await newKey({ allowedEndpoints: ['chat.completions'] });
    const openAiFetch = countingFetch();
    const openai = new OpenAI({ apiKey: key, baseURL: `${gateway.stack.ingressUrl}/v1`, fetch: openAiFetch.fetch });
    await openai.chat.completions.create({ model: 'fast-model', messages: MESSAGES });
    const refused = await openai.embeddings
      .create({ model: 'embed-model', input: 'hi' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(refused).toMatchObject({ status: 403, type: 'permission_error', code: 'endpoint_not_allowed' });
    expect((refused as Error).message).toMatch(/may not call POST \/v1\/embeddings .*allows: chat\.completions/);
    expect(await openai.models.list().catch((error: unknown) => (error as { status: number }).status)).toBe(403);
    expect(openAiFetch.counter.requests).toBe(3);

    const anthropicFetch = countingFetch();
    const anthropic = new Anthropic({ apiKey: key, baseURL: gateway.stack.ingressUrl, fetch: anthropicFetch.fetch });
    const denied = await anthropic.messages
      .create({ model: 'fast-model', max_tokens: 10, messages: MESSAGES })
      .catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((denied as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'permission_error', message: expect.stringMatching(/may not call \/v1\/messages/) },
    });
    expect(anthropicFetch.counter.requests).toBe(1);

    // Widened, the scope serves at once (the change is broadcast).
    expect(await patch(id, { allowedEndpoints: ['chat.completions', 'embeddings'] })).toMatchObject({
      allowedEndpoints: ['chat.completions', 'embeddings'],
    });
    await soon(
      () =>
        openai.embeddings.create({ model: 'embed-model', input: 'hi' }).then(
          () => true,
          () => false,
        ),
      Boolean,
    );
    await patch(id, { allowedEndpoints: null });
    await soon(
      () =>
        anthropic.messages.create({ model: 'fast-model', max_tokens: 10, messages: MESSAGES }).then(
          () => true,
          () => false,
        ),
      Boolean,
    );
  });

  it('scopes models and aliases: an alias admits itself, a model admits its aliases too', async () => {
    const alias = await newKey({ allowedModels: ['quick'] });
    expect((await chat(alias.key, 'quick')).status).toBe(200);
    const direct = await chat(alias.key, 'fast-model');
    expect(direct.status).toBe(403);
    expect(direct.body).toMatchObject({ error: { code: 'model_not_allowed', param: 'model' } });
    expect((await chat(alias.key, 'other-model')).status).toBe(403);
    const model = await newKey({ allowedModels: ['fast-model'] });
    expect((await chat(model.key, 'quick')).status).toBe(200);
    expect((await chat(model.key, 'other-model')).status).toBe(403);
    await patch(model.id, { allowedModels: ['other-model'] });
    await soon(() => chat(model.key, 'other-model'), status(200));
    expect((await chat(model.key, 'quick')).status).toBe(403);
  });

  it('admits a key only from its IP allowlist, the client address being what a trusted proxy reports', async () => {
    const { key, id } = await newKey({ ipAllowlist: ['203.0.113.0/24'] });
    const url = gateway.stack.ingressUrl;
    const viaProxy = (client: string, path?: string) =>
      callFrom(url, key, { headers: { 'x-forwarded-for': client }, ...(path ? { path, method: 'GET' } : {}) });
    expect((await viaProxy('203.0.113.9')).status).toBe(200);
    const outside = await viaProxy('198.51.100.1');
    expect(outside.status).toBe(403);
    expect(outside.body).toEqual({
      error: {
        message: 'This API key may not be used from 198.51.100.1: it is limited to the addresses of its IP allowlist.',
        type: 'permission_error',
        param: null,
        code: 'address_not_allowed',
      },
    });
    expect((await viaProxy('198.51.100.1', '/v1/models')).status).toBe(403);
    // A client that is no trusted proxy cannot name itself an allowed address.
    const spoofed = await callFrom(url, key, { from: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(spoofed.status).toBe(403);
    expect(String((spoofed.body.error as { message: string }).message)).toContain('from 127.0.0.2');
    const anthropic = await callFrom(url, key, {
      path: '/v1/messages',
      headers: { 'x-forwarded-for': '198.51.100.1', 'anthropic-version': '2023-06-01' },
      body: { model: 'fast-model', max_tokens: 10, messages: MESSAGES },
    });
    expect(anthropic.status).toBe(403);
    expect(anthropic.body).toMatchObject({ type: 'error', error: { type: 'permission_error' } });

    expect(await patch(id, { ipAllowlist: ['127.0.0.2'] })).toMatchObject({ ipAllowlist: ['127.0.0.2/32'] });
    await soon(() => callFrom(url, key, { from: '127.0.0.2' }), status(200));
    expect((await viaProxy('203.0.113.9')).status).toBe(403);
    await patch(id, { ipAllowlist: null });
    await soon(() => viaProxy('198.51.100.1'), status(200));
  });

  it('refuses an expired key with a 401 saying so, expired by the clock or by an update', async () => {
    const brief = await newKey({ expiresAt: new Date(Date.now() + 2_000).toISOString() });
    expect((await chat(brief.key)).status).toBe(200);
    // Cached on the replica, the key still expires on time: no broadcast is needed.
    const expired = await pollUntil(
      () => chat(brief.key),
      (answer) => answer.status !== 200,
      { timeoutMs: 5_000 },
    );
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({
      error: { type: 'authentication_error', message: `This API key expired at ${brief.expiresAt}.` },
    });
    const later = await newKey();
    expect((await chat(later.key)).status).toBe(200);
    await patch(later.id, { expiresAt: '2020-01-01T00:00:00Z' });
    const refused = await soon(() => chat(later.key), status(401));
    expect((refused.body.error as { message: string }).message).toBe(
      'This API key expired at 2020-01-01T00:00:00.000Z.',
    );
  });

  it('answers a bad scope with a 400 naming the field, and an unknown key with a 404', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ipAllowlist: ['10.1.2.3/8'] }, 'ipAllowlist.0', /host bits set: the range is 10\.0\.0\.0\/8/],
      [{ ipAllowlist: ['203.0.113.0/24', 'office'] }, 'ipAllowlist.1', /not an IP address or CIDR range/],
      [{ ipAllowlist: [] }, 'ipAllowlist', /./],
      [{ allowedEndpoints: ['chat'] }, 'allowedEndpoints.0', /chat\.completions/],
      [{ allowedEndpoints: [] }, 'allowedEndpoints', /./],
    ];
    const key = await newKey();
    for (const [body, param, message] of cases) {
      for (const [method, path] of [
        ['POST', `/projects/${gateway.projectId}/keys`],
        ['PATCH', `/keys/${key.id}`],
      ] as const) {
        const answer = await raw(method, path, method === 'POST' ? { name: 'bad', ...body } : body);
        expect({ method, body, status: answer.status, param: answer.body.error?.param }).toEqual({
          method,
          body,
          status: 400,
          param,
        });
        expect(answer.body.error?.message).toMatch(message);
      }
    }
    expect((await raw('PATCH', `/keys/${key.id}`, { secret: 'x' })).status).toBe(400);
    expect((await raw('PATCH', '/keys/00000000-0000-4000-8000-000000000000', { allowedModels: null })).status).toBe(
      404,
    );
    await gateway.admin('DELETE', `/keys/${key.id}`);
    expect((await raw('PATCH', `/keys/${key.id}`, { allowedEndpoints: null })).status).toBe(404);
  });
});
