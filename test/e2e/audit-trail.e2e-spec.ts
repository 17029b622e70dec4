import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import type { ScratchDatabase } from '@polymux/testing';
import { createScratchDatabase, pollUntil } from '@polymux/testing';
import OpenAI from 'openai';
import { Client } from 'pg';

import type { AuditView } from './support/audit';
import { adminClient, exportLines } from './support/audit';
import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * The audit trail end to end: admin actions through control's HTTP API, published to audit over
 * NATS, chained in Postgres (PGlite embedded), read back through `GET /admin/v1/audit`, exported
 * as CSV and JSON lines, and verified through `GET /admin/v1/audit/verify`. The distributed stack
 * runs on a database of its own, which the last test tampers with.
 */

const ADDRESS = '203.0.113.9';

describe.each(MODES)('audit trail (%s mode)', (mode) => {
  let gateway: Gateway;
  let scratch: ScratchDatabase | undefined;
  /** The org's owner, through a personal key; the operator, through the bootstrap key. */
  let admin: ReturnType<typeof adminClient>;
  let operator: ReturnType<typeof adminClient>;
  const started = new Date().toISOString();
  /** What the test created, and every secret it was shown: none may reach the trail. */
  const ids = { user: '', adminKey: '', key: '', webhook: '', credential: '' };
  const secrets: string[] = [];
  let callRequestId = '';

  beforeAll(async () => {
    if (mode === 'distributed')
      scratch = await createScratchDatabase(process.env.E2E_DATABASE_URL!, 'polymux_e2e_audit_trail');
    gateway = await startGateway({
      mode,
      label: 'audittrail',
      catalogFile: join(__dirname, 'catalog.yaml'),
      env: {
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
        POLYMUX_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP: 'true',
      },
    });
    operator = adminClient(gateway.stack.controlUrl, gateway.adminKey);
    // An owner of the org with a personal key: their actions name the key and the user, from their address.
    const user = await operator.json<{ id: string }>('POST', `/orgs/${gateway.orgId}/users`, {
      email: `owner-${randomUUID()}@example.com`,
      roles: [{ role: 'owner' }],
    });
    const personal = await operator.json<{ id: string; key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'owner key',
      userId: user.id,
    });
    Object.assign(ids, { user: user.id, adminKey: personal.id });
    admin = adminClient(gateway.stack.controlUrl, personal.key, { 'x-forwarded-for': ADDRESS });
    secrets.push(personal.key, createHash('sha256').update(personal.key).digest('hex'));

    const key = await admin.json<{ id: string; key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'audited',
      rpm: 10,
    });
    ids.key = key.id;
    secrets.push(key.key, createHash('sha256').update(key.key).digest('hex'));
    await admin.json('PATCH', `/keys/${key.id}`, { rpm: 20, tpm: 1000 });
    const webhook = await admin.json<{ id: string; secret: string }>('POST', '/webhooks', {
      orgId: gateway.orgId,
      url: 'http://127.0.0.1:9/hooks/T0/B0/path-token?token=query-token',
    });
    ids.webhook = webhook.id;
    secrets.push(webhook.secret, 'path-token', 'query-token');
    const rotated = await admin.json<{ secret: string }>('POST', `/webhooks/${webhook.id}/rotate-secret`);
    secrets.push(rotated.secret);
    await admin.json('DELETE', `/keys/${key.id}`);
    // Provider credentials are the operator's (instance-wide, in the chain of records without an org).
    const credentialValue = `sk-audit-e2e-${randomUUID()}`;
    ids.credential = (
      await operator.json<{ id: string }>('POST', '/credentials', { name: `c-${randomUUID()}`, value: credentialValue })
    ).id;
    await operator.json('PATCH', `/credentials/${ids.credential}`, { value: `${credentialValue}-rotated` });
    secrets.push(credentialValue);

    const openai = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    const { response } = await openai.chat.completions
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 5 })
      .withResponse();
    callRequestId = response.headers.get('x-request-id')!;
    // Everything above is in the trail (audit consumes durably, so it may lag a little).
    await pollUntil(
      async () => (await admin.json<{ data: AuditView[] }>('GET', `/audit?orgId=${gateway.orgId}&limit=1000`)).data,
      (records) =>
        records.some((record) => record.requestId === callRequestId) &&
        records.some((record) => record.action === 'api_key.revoke'),
      { timeoutMs: 20_000 },
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await scratch?.drop();
  });

  const list = (search: string) =>
    admin.json<{ data: AuditView[]; nextCursor: string | null }>('GET', `/audit?${search}`);

  it('records who, when, from where and what changed for every admin action, and never a secret', async () => {
    const { data } = await list(`actor=${ids.user}&limit=1000`);
    expect(data.map((record) => record.action).sort()).toEqual(
      ['api_key.create', 'api_key.revoke', 'api_key.update', 'webhook.create', 'webhook.rotate_secret'].sort(),
    );
    for (const record of data) {
      expect(record).toMatchObject({
        category: 'admin',
        actorKeyId: ids.adminKey,
        actorUserId: ids.user,
        sourceAddress: ADDRESS,
      });
      expect(record.occurredAt >= started).toBe(true);
    }
    const patch = data.find((record) => record.action === 'api_key.update')!;
    expect(patch).toMatchObject({
      target: `api_key:${ids.key}`,
      orgId: gateway.orgId,
      projectId: gateway.projectId,
      // The fields the PATCH changed, before and after it.
      before: { rpm: 10, tpm: null },
      after: { rpm: 20, tpm: 1000 },
    });
    expect(data.find((record) => record.action === 'api_key.revoke')).toMatchObject({
      before: { revokedAt: null },
      after: { revokedAt: expect.any(String) },
    });
    expect(data.find((record) => record.action === 'webhook.create')?.after).toMatchObject({ host: '127.0.0.1:9' });
    const rotation = await operator.json<{ data: AuditView[] }>('GET', `/audit?action=credential.update`);
    expect(rotation.data.find((record) => record.target === `credential:${ids.credential}`)).toMatchObject({
      orgId: null,
      after: { value: '[redacted]' },
    });
    // Neither the records nor the exports hold a key, a hash of one, a webhook secret or a credential.
    const everything = [
      JSON.stringify((await operator.json<{ data: AuditView[] }>('GET', '/audit?limit=1000')).data),
      (await exportLines(operator, 'format=jsonl')).body,
      (await exportLines(admin, `format=csv&orgId=${gateway.orgId}`)).body,
    ].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('filters by actor, action, category, project, request and time, and pages with a cursor', async () => {
    expect((await list(`actor=${ids.adminKey}`)).data).toHaveLength(5);
    expect((await list(`action=api_key.update&orgId=${gateway.orgId}`)).data.map((record) => record.target)).toEqual([
      `api_key:${ids.key}`,
    ]);
    const call = (await list(`requestId=${callRequestId}`)).data;
    expect(call).toEqual([
      expect.objectContaining({ category: 'call', requestId: callRequestId, sourceAddress: null }),
    ]);
    expect((await list(`category=call&projectId=${gateway.projectId}`)).data.map((record) => record.requestId)).toEqual(
      [callRequestId],
    );
    const all = (await list(`orgId=${gateway.orgId}&limit=1000`)).data;
    // From (inclusive) and to (exclusive) split the trail at any instant.
    const instant = encodeURIComponent(all.find((record) => record.action === 'api_key.update')!.occurredAt);
    const [before, after] = [
      (await list(`orgId=${gateway.orgId}&to=${instant}&limit=1000`)).data,
      (await list(`orgId=${gateway.orgId}&from=${instant}&limit=1000`)).data,
    ];
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect([...after, ...before].map((record) => record.id).sort()).toEqual(all.map((record) => record.id).sort());
    expect((await list(`orgId=${gateway.orgId}&from=${encodeURIComponent(new Date().toISOString())}`)).data).toEqual(
      [],
    );

    const paged: AuditView[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: AuditView[]; nextCursor: string | null } = await list(
        `orgId=${gateway.orgId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.data.length).toBeLessThanOrEqual(3);
      paged.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.map((record) => record.seq)).toEqual(all.map((record) => record.seq));
    expect(new Set(paged.map((record) => record.seq)).size).toBe(paged.length);

    for (const [search, param] of [
      ['cursor=not-a-cursor', 'cursor'],
      [`from=${encodeURIComponent(started)}&to=${encodeURIComponent(started)}`, 'from'],
      ['actorId=x', null],
      ['category=user', 'category'],
      ['limit=0', 'limit'],
    ] as const) {
      const answer = await admin.raw('GET', `/audit?${search}`);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({
        error: { type: 'invalid_request_error', ...(param ? { param } : {}) },
      });
    }
  });

  it('exports the same records as CSV and JSON lines, streamed, bounded by limit with the next cursor', async () => {
    const all = (await list(`orgId=${gateway.orgId}&limit=1000`)).data;
    const jsonl = await exportLines(admin, `format=jsonl&orgId=${gateway.orgId}`);
    expect(jsonl.contentType).toMatch(/^application\/x-ndjson/);
    expect(jsonl.lines.map((line) => JSON.parse(line))).toEqual(all);
    const csv = await exportLines(admin, `format=csv&orgId=${gateway.orgId}&action=api_key.update`);
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csv.lines[0]).toMatch(
      /^seq,id,occurred_at,category,action,outcome,actor_key_id,actor_user_id,source_address,/,
    );
    expect(csv.lines.slice(1)).toEqual([
      expect.stringContaining(`,api_key.update,success,${ids.adminKey},${ids.user},${ADDRESS},`),
    ]);

    const first = await exportLines(admin, `format=jsonl&orgId=${gateway.orgId}&limit=2`);
    expect(first.lines.map((line) => JSON.parse(line).seq)).toEqual(all.slice(0, 2).map((record) => record.seq));
    const next = await exportLines(admin, `format=jsonl&orgId=${gateway.orgId}&limit=1000&cursor=${first.nextCursor}`);
    expect(next.lines.map((line) => JSON.parse(line).seq)).toEqual(all.slice(2).map((record) => record.seq));
    expect(next.nextCursor).toBeNull();
    expect((await admin.raw('GET', '/audit/export?format=xml')).status).toBe(400);
    // The OpenAPI document describes the export as the streams it is, not as a page of JSON.
    const document = await operator.json<{
      paths: Record<string, Record<string, { responses: Record<string, { content: object }> }>>;
    }>('GET', '/openapi.json');
    expect(Object.keys(document.paths['/admin/v1/audit/export']!.get!.responses['200']!.content).sort()).toEqual([
      'application/x-ndjson',
      'text/csv',
    ]);
  });

  it("reads, exports and verifies the owner's own org only; another org's id answers 404", async () => {
    const other = await operator.json<{ id: string }>('POST', '/orgs', { name: `audit-other-${randomUUID()}` });
    for (const path of ['/audit', '/audit/export', '/audit/verify'])
      expect((await admin.raw('GET', `${path}?orgId=${other.id}`)).status).toBe(404);
    const own = (await list('limit=1000')).data;
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((record) => record.orgId))).toEqual(new Set([gateway.orgId]));
    // The operator reads any org's (audit stores the new org's creation a moment later).
    const others = await pollUntil(
      async () => (await operator.json<{ data: AuditView[] }>('GET', `/audit?orgId=${other.id}`)).data,
      (records) => records.length > 0,
    );
    expect(others).toEqual([expect.objectContaining({ action: 'org.create', target: `org:${other.id}` })]);
  });

  it('verifies every chain through the API, and names the first broken link after a row was changed', async () => {
    const verified = await operator.json<Record<string, unknown>>('GET', '/audit/verify');
    expect(verified).toEqual({ ok: true, checked: expect.any(Number), chains: expect.any(Number), firstBroken: null });
    expect(verified.checked).toBeGreaterThanOrEqual(14);
    expect(await admin.json('GET', '/audit/verify')).toMatchObject({ ok: true, chains: 1, firstBroken: null });
    if (!scratch) return; // The embedded mode's PGlite belongs to the running gateway: no second writer.

    const [victim] = (await list(`action=api_key.update&orgId=${gateway.orgId}`)).data;
    const db = new Client({ connectionString: scratch.url });
    await db.connect();
    try {
      // As someone with raw database access could: the append-only trigger lifted for one update.
      await db.query('begin');
      await db.query('alter table audit.records disable trigger records_append_only');
      await db.query(`update audit.records set after_state = '{"limits": {"rpm": 1000000}}' where seq = $1`, [
        victim!.seq,
      ]);
      await db.query('alter table audit.records enable trigger records_append_only');
      await db.query('commit');
    } finally {
      await db.end();
    }
    const broken = await operator.json<{ ok: boolean; firstBroken: Record<string, unknown> }>('GET', '/audit/verify');
    expect(broken).toMatchObject({
      ok: false,
      firstBroken: {
        chainId: `org:${gateway.orgId}`,
        reason: 'hash does not match',
        id: victim!.id,
        seq: victim!.seq,
        found: victim!.hash,
        expected: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(broken.firstBroken.expected).not.toBe(victim!.hash);
    // The owner's verification of their org sees it too.
    expect(await admin.json('GET', '/audit/verify')).toMatchObject({ ok: false, firstBroken: { id: victim!.id } });
  });
});
