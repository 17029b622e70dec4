import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { ProviderSim } from '@polymux/provider-sim';
import { startProviderSim } from '@polymux/provider-sim';
import { pollUntil } from '@polymux/testing';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

const SECRET = `sk-admin-e2e-${randomUUID()}`;
const ROTATED = `sk-admin-e2e-rotated-${randomUUID()}`;
/** Unique per run: the admin layer lives in control's tables, which the e2e database keeps between runs. */
const RUN = randomUUID().slice(0, 8);
const MODEL = `admin-e2e-model-${RUN}`;
const DEPLOYMENT = `admin/e2e-sim-${RUN}`;

/**
 * The catalog's admin layer end to end: a credential, a model and a deployment created through the
 * admin API (HTTP → control → Postgres → control.catalog.changed.v1 → every router and executor
 * reloads) are served by /v1/chat/completions without a restart, then rotated, changed and
 * deleted, each change seen at once; the secret never appears in an answer or a log line.
 */
describe.each(MODES)('the admin catalog layer (%s mode)', (mode) => {
  let gateway: Gateway;
  let sim: ProviderSim;
  let stopped = false;
  /** Every admin answer, to check that no secret is ever in one. */
  const answers: string[] = [];

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> & { data?: unknown[] } };
  };

  const chat = async () => {
    const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 }),
    });
    const text = await response.text();
    answers.push(text);
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  };

  beforeAll(async () => {
    // The test's own simulator, so that the credentials it received can be read.
    sim = await startProviderSim({ port: 0 });
    gateway = await startGateway({
      mode,
      catalogFile: join(__dirname, 'catalog.yaml'),
      label: 'e2eadmincat',
      env: {
        POLYMUX_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        POLYMUX_UPSTREAM_ALLOWED_CIDRS: '127.0.0.0/8',
        LOG_LEVEL: 'debug',
      },
    });
  });

  /** Deletes what the run created, so a failed run leaves nothing in the shared database; idempotent. */
  const cleanUp = async () => {
    await admin('DELETE', `/deployments/${encodeURIComponent(DEPLOYMENT)}`);
    await admin('DELETE', `/models/${MODEL}`);
    const { data = [] } = (await admin('GET', '/credentials')).body;
    for (const credential of data as Array<{ id: string; name: string }>)
      if (credential.name.endsWith(RUN)) await admin('DELETE', `/credentials/${credential.id}`);
  };

  afterAll(async () => {
    if (!stopped && gateway) {
      await cleanUp();
      await gateway.stop();
    }
    await sim?.close();
  });

  it('refuses base URLs the SSRF guard does not allow, with a clear 400', async () => {
    for (const baseUrl of ['http://169.254.169.254/latest', 'http://10.0.0.1/v1', 'http://[fd00:ec2::254]/v1']) {
      const { status, body } = await admin('POST', '/deployments', {
        model: 'gpt-4.1-mini',
        id: 'admin/refused',
        provider: 'openai',
        baseUrl,
        upstreamModel: 'x',
        pricing: { input: '1', output: '1' },
      });
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: { type: 'invalid_request_error', param: 'baseUrl' } });
    }
  });

  it('serves, rotates, changes and deletes an admin deployment without a restart', async () => {
    const credential = await admin('POST', '/credentials', { name: `sim key ${mode} ${RUN}`, value: SECRET });
    expect(credential.status).toBe(201);
    const credentialId = credential.body.id as string;
    expect(Object.keys(credential.body).sort()).toEqual(['createdAt', 'id', 'name', 'updatedAt']);

    expect(
      (
        await admin('POST', '/models', {
          id: MODEL,
          contextWindow: 8000,
          maxOutputTokens: 1000,
          capabilities: { tools: true },
        })
      ).status,
    ).toBe(201);
    const refused = await admin('POST', '/deployments', {
      model: 'no-such-model',
      id: 'admin/orphan',
      provider: 'openai',
      baseUrl: `${sim.url}/v1`,
      upstreamModel: 'x',
      pricing: { input: '1', output: '1' },
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('unknown model no-such-model');

    const created = await admin('POST', '/deployments', {
      model: MODEL,
      id: DEPLOYMENT,
      provider: 'openai',
      baseUrl: `${sim.url}/v1`,
      upstreamModel: 'sim-upstream',
      credentialRef: `credential:${credentialId}`,
      pricing: { input: '0.50', output: '1.50' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: DEPLOYMENT, model: MODEL, credentialRef: `credential:${credentialId}` });

    // Reloaded by router and executor: the model answers, with the stored key.
    const served = await pollUntil(chat, (result) => result.status === 200, { timeoutMs: 20_000 });
    expect(served.body).toMatchObject({ object: 'chat.completion' });
    expect(sim.stats.authorizations).toContain(`Bearer ${SECRET}`);

    // A rotated value reaches the executors.
    expect((await admin('PATCH', `/credentials/${credentialId}`, { value: ROTATED })).status).toBe(200);
    await pollUntil(
      async () => (await chat()).status === 200 && sim.stats.authorizations.has(`Bearer ${ROTATED}`),
      (rotated) => rotated,
      { timeoutMs: 20_000 },
    );

    // A changed deployment (now failing upstream) is what the next calls reach.
    const id = encodeURIComponent(DEPLOYMENT);
    expect((await admin('PATCH', `/deployments/${id}`, { baseUrl: `${sim.url}/scenario/status=500/v1` })).status).toBe(
      200,
    );
    await pollUntil(chat, (result) => result.status >= 500, { timeoutMs: 20_000 });

    // A credential in use cannot be deleted.
    expect((await admin('DELETE', `/credentials/${credentialId}`)).status).toBe(409);

    // Deleted: the model has no deployment left and is gone from the catalog.
    expect((await admin('DELETE', `/deployments/${id}`)).status).toBe(200);
    const gone = await pollUntil(chat, (result) => result.status === 404, { timeoutMs: 20_000 });
    expect(gone.body).toMatchObject({ error: { code: 'model_not_found' } });
    expect((await admin('DELETE', `/credentials/${credentialId}`)).status).toBe(200);
    expect((await admin('DELETE', `/models/${MODEL}`)).status).toBe(200);

    // Every change is in the audit trail, without the secret.
    const actions = await pollUntil(
      async () =>
        ((await admin('GET', '/audit?limit=1000')).body.data as Array<{ action: string; target: string }>)
          .filter((record) => record.target.startsWith('deployment:') || record.target.startsWith('credential:'))
          .map((record) => record.action),
      (found) => found.includes('credential.delete') && found.includes('deployment.delete'),
      { timeoutMs: 15_000 },
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'credential.create',
        'credential.update',
        'deployment.create',
        'deployment.update',
        'deployment.delete',
        'credential.delete',
      ]),
    );
  });

  it('never shows the secret in an answer or a log line', async () => {
    const listed = await admin('GET', '/credentials');
    expect(listed.status).toBe(200);
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) {
      expect(answer).not.toContain(SECRET);
      expect(answer).not.toContain(ROTATED);
    }
    await cleanUp();
    await gateway.stop();
    stopped = true;
    const logs = readdirSync(gateway.stack.logDir)
      .filter((file) => file.endsWith('.log'))
      .map((file) => readFileSync(join(gateway.stack.logDir, file), 'utf8'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(ROTATED);
  });
});
