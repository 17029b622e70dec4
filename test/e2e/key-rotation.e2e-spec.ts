import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import type { Answer, KeyView } from './support/keys';
import { callFrom } from './support/keys';

jest.setTimeout(180_000);

/*
 * Rotation and revocation end to end, on two ingress replicas in the distributed mode: a rotated
 * key's new secret works at once everywhere, its previous one until the overlap ends and then is
 * refused as rotated, both as one key for rate limits and usage; a revocation is refused by every
 * replica within a second, whichever secret is presented.
 */

const SECOND = 1_000;
const messageOf = (answer: Answer) => (answer.body.error as { message?: string } | undefined)?.message ?? '';

/** Waits for the next minute when less than `needMs` is left of this one (rate limits count in the clock's minutes). */
const freshWindow = async (needMs: number) => {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
};

describe.each(MODES)('API key rotation and revocation (%s mode)', (mode) => {
  let gateway: Gateway;
  const replicas = mode === 'distributed' ? 2 : 1;

  beforeAll(async () => {
    gateway = await startGateway({
      mode,
      label: 'keyrotation',
      catalogFile: join(__dirname, 'key-scopes.catalog.yaml'),
      authenticatedNats: true,
      ingressReplicas: replicas,
    });
    expect(gateway.stack.ingressUrls).toHaveLength(replicas);
  });
  afterAll(() => gateway?.stop());

  const newKey = (body: Record<string, unknown> = {}) =>
    gateway.admin<KeyView & { key: string }>('POST', `/projects/${gateway.projectId}/keys`, {
      name: 'rotated',
      ...body,
    });
  const rotate = (id: string, body?: unknown) =>
    gateway.admin<KeyView & { key: string }>('POST', `/keys/${id}/rotate`, body);
  /** The answer of every replica to one call with `secret`. */
  const everywhere = (secret: string, path = '/v1/chat/completions') =>
    Promise.all(
      gateway.stack.ingressUrls.map((url) =>
        callFrom(url, secret, path === '/v1/models' ? { method: 'GET', path } : { path }),
      ),
    );
  const statuses = async (secret: string, path?: string) => (await everywhere(secret, path)).map((a) => a.status);
  /** How long after now every replica answers `status` to `secret` (on `GET /v1/models`), in ms, and what each says. */
  const untilEverywhere = async (secret: string, status: number, timeoutMs: number) => {
    const start = Date.now();
    const answers = await pollUntil(
      async () =>
        (await everywhere(secret, '/v1/models')).map((answer) => ({
          status: answer.status,
          type: (answer.body.error as { type?: string } | undefined)?.type,
          message: messageOf(answer),
        })),
      (all) => all.every((answer) => answer.status === status),
      { timeoutMs, intervalMs: 20 },
    );
    return { elapsedMs: Date.now() - start, answers };
  };

  it('serves the new secret at once and the previous one until the overlap ends, as one key', async () => {
    await freshWindow(15 * SECOND);
    const created = await newKey({ rpm: 1_000 });
    const first = created.key;
    expect(await statuses(first)).toEqual(Array(replicas).fill(200));

    const rotated = await rotate(created.id, { overlapSeconds: 3 });
    const second = rotated.key;
    expect(second).toMatch(/^pmx-/);
    expect(second).not.toBe(first);
    expect(rotated).toMatchObject({ id: created.id, prefix: second.slice(0, 10), rpm: 1_000 });
    const overlapEnds = Date.parse(rotated.previousSecretExpiresAt!);
    expect(overlapEnds - Date.parse(rotated.rotatedAt!)).toBeGreaterThanOrEqual(2_900);
    const listed = await gateway.admin<{ data: KeyView[] }>('GET', `/projects/${gateway.projectId}/keys`);
    expect(JSON.stringify(listed)).not.toContain(second);

    // Both secrets count against the one key's limit (every replica shares it).
    const remaining: number[] = [];
    for (const secret of [first, second, first, second]) {
      for (const answer of await everywhere(secret)) {
        expect(answer.status).toBe(200);
        remaining.push(Number(answer.headers['x-ratelimit-remaining-requests']));
      }
    }
    expect([...remaining].sort((a, b) => b - a)).toEqual(remaining.map((_, index) => 1_000 - replicas - 1 - index));

    const refused = await untilEverywhere(first, 401, 10 * SECOND);
    expect(Date.now()).toBeGreaterThanOrEqual(overlapEnds);
    for (const answer of refused.answers)
      expect(answer.message).toBe(
        `This API key was rotated: its previous secret stopped working at ${rotated.previousSecretExpiresAt}. Use the new secret.`,
      );
    expect(await statuses(second)).toEqual(Array(replicas).fill(200));

    // The SDK sees the refusal as the authentication error it is, and does not retry it.
    let requests = 0;
    const openai = new OpenAI({
      apiKey: first,
      baseURL: `${gateway.stack.ingressUrl}/v1`,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
    const error = await openai.chat.completions
      .create({ model: 'fast-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(requests).toBe(1);

    // Every call of both secrets is the key's in usage: six rounds of calls, one per replica each.
    const usage = await pollUntil(
      () =>
        gateway.admin<{ data: Array<{ requestId: string }> }>(
          'GET',
          `/usage/calls?${new URLSearchParams({ orgId: gateway.orgId, keyId: created.id })}`,
        ),
      (page) => page.data.length >= 6 * replicas,
      { timeoutMs: 20 * SECOND },
    );
    expect(usage.data).toHaveLength(6 * replicas);
  });

  it('stops the previous secret at once with no overlap, and at once too when rotated again', async () => {
    const created = await newKey();
    expect(await statuses(created.key)).toEqual(Array(replicas).fill(200));
    const second = (await rotate(created.id, { overlapSeconds: 0 })).key;
    const stopped = await untilEverywhere(created.key, 401, SECOND);
    expect(stopped.elapsedMs).toBeLessThan(SECOND);
    expect(stopped.answers[0].message).toMatch(/^This API key was rotated/);

    // A rotation in the overlap of an earlier one ends that overlap: only the last two secrets work.
    const third = (await rotate(created.id, { overlapSeconds: 3_600 })).key;
    expect(await statuses(second, '/v1/models')).toEqual(Array(replicas).fill(200));
    const fourth = await rotate(created.id, {});
    expect(Date.parse(fourth.previousSecretExpiresAt!) - Date.now()).toBeGreaterThan(24 * 3_600 * SECOND - 60 * SECOND);
    expect((await untilEverywhere(second, 401, SECOND)).elapsedMs).toBeLessThan(SECOND);
    expect(await statuses(third, '/v1/models')).toEqual(Array(replicas).fill(200));
    expect(await statuses(fourth.key, '/v1/models')).toEqual(Array(replicas).fill(200));
  });

  it('refuses a revoked key on every replica within a second, its secret in overlap too', async () => {
    const created = await newKey();
    const next = (await rotate(created.id, { overlapSeconds: 3_600 })).key;
    expect(await statuses(created.key, '/v1/models')).toEqual(Array(replicas).fill(200));
    expect(await statuses(next, '/v1/models')).toEqual(Array(replicas).fill(200));
    const revoked = await gateway.admin<KeyView>('DELETE', `/keys/${created.id}`);
    for (const secret of [next, created.key]) {
      const { elapsedMs, answers } = await untilEverywhere(secret, 401, SECOND);
      expect(elapsedMs).toBeLessThan(SECOND);
      for (const answer of answers) {
        expect(answer.type).toBe('authentication_error');
        expect(answer.message).toMatch(/^This API key was revoked at /);
      }
    }
    expect(revoked.revokedAt).not.toBeNull();
  });

  it('answers a bad rotation with a 400 naming the field, and an unknown or revoked key with a 404', async () => {
    const created = await newKey();
    const raw = async (id: string, body: unknown) =>
      (
        await fetch(`${gateway.stack.controlUrl}/admin/v1/keys/${id}/rotate`, {
          method: 'POST',
          headers: {
            authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef',
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        })
      ).json() as Promise<{ error?: { param: string | null; type: string } }>;
    for (const overlapSeconds of [-1, 1.5, 7 * 24 * 3_600 + 1, '60'])
      expect(await raw(created.id, { overlapSeconds })).toMatchObject({
        error: { type: 'invalid_request_error', param: 'overlapSeconds' },
      });
    expect((await raw(created.id, { overlap: 5 })).error?.type).toBe('invalid_request_error');
    // No body at all: the default overlap.
    const bare = await fetch(`${gateway.stack.controlUrl}/admin/v1/keys/${created.id}/rotate`, {
      method: 'POST',
      headers: { authorization: 'Bearer pmx-e2e-bootstrap-key-0123456789abcdef' },
    });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as { key: string }).key).toMatch(/^pmx-/);
    expect((await raw('00000000-0000-4000-8000-000000000000', {})).error?.type).toBe('not_found_error');
    expect((await raw('not-a-key', {})).error?.type).toBe('not_found_error');
    await gateway.admin('DELETE', `/keys/${created.id}`);
    expect((await raw(created.id, {})).error?.type).toBe('not_found_error');
  });
});
