import { join } from 'node:path';

import type { Stack } from '@polymux/testing';
import { startStack } from '@polymux/testing';
import fc from 'fast-check';

/**
 * Generative fuzzing of every HTTP endpoint of the embedded mode (one process serves ingress and
 * the admin API): thousands of malformed bodies and header values, each answered with a 4xx in
 * OpenAI's error format, never a 5xx, and the process still serves a good call afterwards.
 */
jest.setTimeout(180_000);

const BOOTSTRAP_KEY = 'pmx-fuzz-bootstrap-key-0123456789abcdef';
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const runs = (count: number) => ({ numRuns: count, seed: SEED, endOnFailure: true });

interface Answer {
  status: number;
  text: string;
}

/** Throws unless `answer` is a 4xx whose body is `{"error":{message,type,param,code}}`. */
const expectClientError = (answer: Answer, what: string): void => {
  const fail = (why: string): never => {
    throw new Error(`${what} → ${answer.status} (${why}): ${answer.text.slice(0, 300)}`);
  };
  if (answer.status < 400 || answer.status >= 500) fail('not a 4xx');
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    fail('not JSON');
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error ?? fail('no error object');
  if (typeof error.message !== 'string' || typeof error.type !== 'string' || typeof error.code !== 'string')
    fail('not an OpenAI error');
  if (!('param' in error)) fail('no param');
};

/** Throws unless `answer` is a 4xx whose body is Anthropic's `{"type":"error","error":{type,message}}`. */
const expectAnthropicError = (answer: Answer, what: string): void => {
  const fail = (why: string): never => {
    throw new Error(`${what} → ${answer.status} (${why}): ${answer.text.slice(0, 300)}`);
  };
  if (answer.status < 400 || answer.status >= 500) fail('not a 4xx');
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    fail('not JSON');
  }
  const { type, error } = (body ?? {}) as { type?: unknown; error?: Record<string, unknown> };
  if (type !== 'error' || typeof error?.type !== 'string' || typeof error.message !== 'string')
    fail('not an Anthropic error');
};

/** Characters a client can put in a header value (fetch refuses NUL, CR and LF, as HTTP does). */
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0x80, max: 0xff }),
  fc.constant(0x09),
);
const headerValue = fc.oneof(
  fc.string({ unit: headerChar.map((code) => String.fromCharCode(code)), maxLength: 300 }),
  fc.string({ unit: headerChar.map((code) => String.fromCharCode(code)), minLength: 1_000, maxLength: 4_000 }),
);

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
/** A string with at least one control character somewhere. */
const withControl = fc
  .tuple(fc.string({ maxLength: 20 }), controlChar, fc.string({ maxLength: 20 }))
  .map(([before, control, after]) => `a${before}${control}${after}z`);
// Bounded by letters so that trimming (names are trimmed before the length check) cannot bring it under `min`.
const tooLong = (min: number) => fc.string({ minLength: min - 2, maxLength: min + 198 }).map((inner) => `a${inner}z`);
const notAnInteger = fc.oneof(
  notAString.filter((value) => typeof value !== 'number' && value !== null),
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Number.isInteger(value)),
);
const deep = fc.integer({ min: 33, max: 1_000 }).map((depth) => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = depth % 2 ? [value] : { nested: value };
  return value;
});

/** Values each chat field cannot take: any one of them makes a body invalid. */
const invalidChatFields: Record<string, fc.Arbitrary<unknown>> = {
  model: fc.oneof(notAString, withControl, tooLong(257), fc.constant(''), fc.constant('gpt 4.1')),
  messages: fc.oneof(
    notAString.filter((value) => !Array.isArray(value)),
    fc.constant([]),
    fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 3 }),
    fc.constant([{ role: 'user' }]),
    fc.constant([{ role: 'wizard', content: 'hi' }]),
    fc.constant([{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }]),
  ),
  temperature: fc.oneof(fc.double({ min: 2.0001, max: 1e300, noNaN: true }), fc.string(), fc.boolean()),
  top_p: fc.oneof(fc.double({ min: -1e300, max: -0.0001, noNaN: true }), fc.string()),
  max_tokens: fc.oneof(notAnInteger, fc.integer({ max: 0 }), fc.constant(2 ** 60)),
  n: fc.oneof(fc.integer({ min: 129 }), fc.integer({ max: 0 }), notAnInteger),
  seed: notAnInteger,
  stream: fc.oneof(fc.string(), fc.integer(), fc.dictionary(fc.string(), fc.string(), { minKeys: 1 })),
  stop: fc.oneof(
    fc.array(fc.string(), { minLength: 5, maxLength: 8 }),
    fc.integer(),
    fc.dictionary(fc.string(), fc.string()),
  ),
  user: fc.oneof(
    notAString.filter((value) => value !== null),
    withControl,
    tooLong(257),
  ),
  metadata: fc.oneof(
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      notAString.filter((value) => value !== null),
      {
        minKeys: 1,
        maxKeys: 3,
      },
    ),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), withControl, { minKeys: 1, maxKeys: 3 }),
    fc.string(),
    fc.array(fc.string(), { minLength: 1 }),
  ),
  store: fc.oneof(fc.string(), fc.integer(), fc.array(fc.boolean())),
  tools: fc.oneof(
    fc.constant(null),
    fc.string(),
    fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 3 }),
    fc.constant([{ type: 'function', function: { name: '' } }]),
  ),
  tool_choice: fc.oneof(
    fc.string().filter((value) => !['none', 'auto', 'required'].includes(value)),
    fc.integer(),
  ),
  response_format: fc.oneof(fc.string(), fc.constant({ type: 'json_schema' }), fc.constant({ type: 'yaml' })),
  stream_options: fc.oneof(fc.string(), fc.constant({ include_usage: 'yes' })),
  nested_field: deep,
};
const badFieldName = fc
  .string({ minLength: 1, maxLength: 80 })
  .filter((name) => !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) && !(name in invalidChatFields));

const goodChat = { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hello' }] };
const invalidChatBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.oneof(
          ...Object.entries(invalidChatFields).map(([field, value]) => value.map((bad) => [field, bad] as const)),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((fields) => ({ ...goodChat, ...Object.fromEntries(fields) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(badFieldName, fc.jsonValue({ maxDepth: 1 }))
      .map(([name, value]) => ({ ...goodChat, [name]: value })),
  },
  {
    weight: 1,
    arbitrary: fc.jsonValue({ maxDepth: 3 }).filter((value) => typeof value !== 'object' || value === null),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }) },
);
/** Bytes that are not a JSON object: broken JSON, plain text, binary noise. */
const junkText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value).slice(0, -1)),
  fc.constantFrom('{"model": "gpt-4.1-mini", "messages": [', '{"a":1}}', '\u0000', '{"__proto__": {"x": 1}}', '[]'),
);

describe('fuzzing every endpoint of the embedded mode', () => {
  let stack: Stack;
  let apiKey: string;
  let projectId: string;
  let orgId: string;

  const send = async (
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<Answer> => {
    const response = await fetch(`${stack.ingressUrl}${path}`, {
      method,
      headers: options.headers,
      body: options.body,
    });
    return { status: response.status, text: await response.text() };
  };
  const json = (key: string, body: unknown, extra: Record<string, string> = {}) => ({
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
  const admin = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const answer = await send(
      method,
      `/admin/v1${path}`,
      body === undefined
        ? { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}`, ...headers } }
        : json(BOOTSTRAP_KEY, body, headers),
    );
    if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status} ${answer.text}`);
    return JSON.parse(answer.text) as T;
  };
  /** The process is alive and still answers a real call. */
  const servesAGoodCall = async () => {
    expect(stack.processes.get('standalone')?.exitCode).toBeNull();
    const chat = await send('POST', '/v1/chat/completions', json(apiKey, goodChat));
    expect(chat.status).toBe(200);
    expect((JSON.parse(chat.text) as { object: string }).object).toBe('chat.completion');
    const models = await send('GET', '/v1/models', { headers: { authorization: `Bearer ${apiKey}` } });
    expect(models.status).toBe(200);
    await admin('GET', `/projects/${projectId}/balance`);
  };

  beforeAll(async () => {
    process.stdout.write(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} repeats this run)\n`);
    stack = await startStack({
      mode: 'embedded',
      bootstrapKey: BOOTSTRAP_KEY,
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'catalog.yaml'),
        POLYMUX_MAX_BODY_BYTES: '200000',
        // The fuzzer sends hundreds of bad keys from one address: the throttle (rate-limits e2e) stays out of its way.
        POLYMUX_FAILED_AUTH_LIMIT: '1000000',
      },
    });
    orgId = (await admin<{ id: string }>('POST', '/orgs', { name: 'fuzz' })).id;
    projectId = (await admin<{ id: string }>('POST', `/orgs/${orgId}/projects`, { name: 'fuzz' })).id;
    apiKey = (await admin<{ key: string }>('POST', `/projects/${projectId}/keys`, { name: 'fuzz key' })).key;
    await admin('POST', `/projects/${projectId}/credits`, { amountUsd: '10.00' }, { 'idempotency-key': 'fuzz-1' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('POST /v1/chat/completions', () => {
    it('answers malformed JSON bodies with a 4xx', async () => {
      await fc.assert(
        fc.asyncProperty(invalidChatBody, async (body) => {
          expectClientError(
            await send('POST', '/v1/chat/completions', json(apiKey, body)),
            JSON.stringify(body)?.slice(0, 200),
          );
        }),
        runs(1_500),
      );
      await servesAGoodCall();
    });

    it('answers bytes that are not a JSON object with a 4xx', async () => {
      await fc.assert(
        fc.asyncProperty(junkText, async (text) => {
          const answer = await send('POST', '/v1/chat/completions', {
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: text,
          });
          expectClientError(answer, JSON.stringify(text));
        }),
        runs(400),
      );
      await servesAGoodCall();
    });

    it('answers odd authorization, x-api-key, content-type and model values with a 4xx', async () => {
      await fc.assert(
        fc.asyncProperty(headerValue, headerValue, async (authorization, contentType) => {
          const unauthorised = await send('POST', '/v1/chat/completions', {
            headers: { authorization, 'content-type': 'application/json' },
            body: JSON.stringify(goodChat),
          });
          expectClientError(unauthorised, `authorization ${JSON.stringify(authorization)}`);
          const wrongKey = await send('POST', '/v1/chat/completions', {
            headers: { 'x-api-key': authorization, 'content-type': 'application/json' },
            body: JSON.stringify(goodChat),
          });
          expectClientError(wrongKey, `x-api-key ${JSON.stringify(authorization)}`);
          // A body that is wrong whatever its content type says it is.
          const typed = await send('POST', '/v1/chat/completions', {
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': contentType },
            body: JSON.stringify({ ...goodChat, model: `bad\n${authorization}` }),
          });
          expectClientError(typed, `content-type ${JSON.stringify(contentType)}`);
        }),
        runs(300),
      );
      await servesAGoodCall();
    });
    it('never answers a 5xx to well-formed bodies with odd values, streamed or not', async () => {
      const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
      const message = fc.record({
        role: fc.constantFrom('system', 'developer', 'user', 'assistant'),
        content: text,
      });
      const body = fc.record(
        {
          model: fc.constantFrom('gpt-4.1-mini', 'fast', 'auto', 'flaky-model', 'no-such-model'),
          messages: fc.array(message, { minLength: 1, maxLength: 3 }),
          stream: fc.boolean(),
          temperature: fc.double({ min: 0, max: 2, noNaN: true }),
          max_tokens: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2 ** 40 })),
          n: fc.integer({ min: 1, max: 3 }),
          stop: fc.array(text, { maxLength: 4 }),
          seed: fc.integer(),
          user: fc.string({ maxLength: 64 }),
          metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 16 }), fc.string({ maxLength: 32 }), {
            maxKeys: 4,
          }),
          store: fc.boolean(),
          reasoning_effort: fc.constantFrom('low', 'medium', 'high'),
        },
        { requiredKeys: ['model', 'messages'] },
      );
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(body, async (request) => {
          const answer = await send('POST', '/v1/chat/completions', json(apiKey, request));
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status >= 500)
            throw new Error(`${JSON.stringify(request)} → ${answer.status}: ${answer.text.slice(0, 300)}`);
          if (answer.status >= 400) expectClientError(answer, JSON.stringify(request));
        }),
        runs(200),
      );
      process.stdout.write(`well-formed bodies by status: ${JSON.stringify([...statuses])}\n`);
      // Most of them are real calls that the simulator answers.
      expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
      await servesAGoodCall();
    });
  });

  /** Every other inbound API: a valid body, and the error shape its callers expect. */
  const ENDPOINTS = [
    {
      path: '/v1/responses',
      good: { model: 'gpt-4.1-mini', input: 'hello' },
      expectError: expectClientError,
    },
    {
      path: '/v1/embeddings',
      good: { model: 'text-embedding-3-small', input: ['hello', 'world'] },
      expectError: expectClientError,
    },
    {
      path: '/v1/messages',
      good: { model: 'gpt-4.1-mini', max_tokens: 32, messages: [{ role: 'user', content: 'hello' }] },
      expectError: expectAnthropicError,
    },
    {
      path: '/v1/messages/count_tokens',
      good: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hello' }] },
      expectError: expectAnthropicError,
    },
  ];

  describe.each(ENDPOINTS)('POST $path', ({ path, good, expectError }) => {
    it('answers a valid body with a 200', async () => {
      const answer = await send('POST', path, json(apiKey, good));
      expect(answer.status).toBe(200);
    });

    it('answers bytes that are not a JSON object with a 4xx in its callers’ format', async () => {
      await fc.assert(
        fc.asyncProperty(junkText, async (text) => {
          const answer = await send('POST', path, {
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: text,
          });
          expectError(answer, JSON.stringify(text));
        }),
        runs(150),
      );
    });

    it('never answers a 5xx when a field is replaced, removed or added, and errors in its callers’ format', async () => {
      const fields = Object.keys(good);
      const mutated = fc.oneof(
        fc
          .tuple(fc.constantFrom(...fields), fc.oneof(notAString, fc.string({ maxLength: 30 }), deep))
          .map(([field, value]) => ({ ...good, [field]: value })),
        fc
          .constantFrom(...fields)
          .map((field) => Object.fromEntries(Object.entries(good).filter(([f]) => f !== field))),
        fc
          .tuple(fc.string({ minLength: 1, maxLength: 70 }), fc.jsonValue({ maxDepth: 2 }))
          .map(([field, value]) => ({ ...good, [field]: value })),
      );
      await fc.assert(
        fc.asyncProperty(mutated, async (body) => {
          const answer = await send('POST', path, json(apiKey, body));
          if (answer.status >= 500)
            throw new Error(`${JSON.stringify(body).slice(0, 300)} → ${answer.status}: ${answer.text.slice(0, 300)}`);
          if (answer.status >= 400) expectError(answer, JSON.stringify(body).slice(0, 300));
        }),
        runs(300),
      );
      await servesAGoodCall();
    });
  });

  describe('GET /v1/models', () => {
    it('answers odd authorization values with a 4xx', async () => {
      await fc.assert(
        fc.asyncProperty(headerValue, async (authorization) => {
          expectClientError(
            await send('GET', '/v1/models', { headers: { authorization } }),
            JSON.stringify(authorization),
          );
        }),
        runs(300),
      );
      await servesAGoodCall();
    });
  });

  describe('/admin/v1', () => {
    const id = fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.uuid(), tooLong(300));
    const invalidName = fc.oneof(notAString, withControl, tooLong(201), fc.constant('   '));
    const invalidBody = (fields: Record<string, fc.Arbitrary<unknown>>, valid: Record<string, unknown>) =>
      fc.oneof(
        fc
          .jsonValue({ maxDepth: 2 })
          .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
        fc
          .oneof(...Object.entries(fields).map(([field, value]) => value.map((bad) => [field, bad] as const)))
          .map(([field, bad]) => ({ ...valid, [field]: bad })),
      );

    it('answers odd admin authorization values with a 4xx', async () => {
      await fc.assert(
        fc.asyncProperty(
          headerValue,
          fc.constantFrom('/orgs', `/projects/${'0'.repeat(8)}/balance`, '/audit'),
          async (authorization, path) => {
            expectClientError(
              await send('GET', `/admin/v1${path}`, { headers: { authorization } }),
              JSON.stringify(authorization),
            );
          },
        ),
        runs(200),
      );
    });

    it('answers malformed tenancy and key bodies with a 4xx', async () => {
      const cases = fc.oneof(
        invalidBody({ name: invalidName }, { name: 'ok' }).map((body) => ['POST', '/orgs', body] as const),
        invalidBody({ name: invalidName }, { name: 'ok' }).map(
          (body) => ['POST', `/orgs/${orgId}/teams`, body] as const,
        ),
        invalidBody(
          {
            name: invalidName,
            teamId: fc.oneof(fc.string(), fc.integer()),
            dataRetention: fc.oneof(fc.string(), fc.integer()),
          },
          { name: 'ok' },
        ).map((body) => ['POST', `/orgs/${orgId}/projects`, body] as const),
        invalidBody(
          { dataRetention: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) },
          { dataRetention: false },
        ).map((body) => ['PATCH', `/projects/${projectId}`, body] as const),
        invalidBody(
          {
            name: invalidName,
            admin: fc.oneof(fc.string(), fc.integer()),
            allowedModels: fc.oneof(
              fc.constant([]),
              fc.array(fc.oneof(withControl, fc.constant(''), tooLong(257), fc.integer()), {
                minLength: 1,
                maxLength: 3,
              }),
              fc.string(),
            ),
            expiresAt: fc.oneof(
              fc.string(),
              fc.integer(),
              fc.date({ noInvalidDate: true }).map((date) => date.toDateString()),
            ),
          },
          { name: 'ok' },
        ).map((body) => ['POST', `/projects/${projectId}/keys`, body] as const),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ([method, path, body]) => {
          expectClientError(
            await send(method, `/admin/v1${path}`, json(BOOTSTRAP_KEY, body)),
            `${method} ${path} ${JSON.stringify(body)}`,
          );
        }),
        runs(600),
      );
      await servesAGoodCall();
    });

    it('answers unknown or malformed ids in paths with a 4xx', async () => {
      const routes = fc.constantFrom<readonly ['GET' | 'DELETE' | 'PATCH', (value: string) => string]>(
        ['GET', (value: string) => `/orgs/${value}/teams`],
        ['GET', (value: string) => `/orgs/${value}/projects`],
        ['GET', (value: string) => `/projects/${value}/keys`],
        ['GET', (value: string) => `/projects/${value}/balance`],
        ['GET', (value: string) => `/projects/${value}/ledger`],
        ['DELETE', (value: string) => `/keys/${value}`],
        ['PATCH', (value: string) => `/projects/${value}`],
      );
      await fc.assert(
        fc.asyncProperty(routes, id, async ([method, path], value) => {
          const target = `/admin/v1${path(encodeURIComponent(value))}`;
          const body = method === 'PATCH' ? { dataRetention: true } : undefined;
          const answer = await send(
            method,
            target,
            body ? json(BOOTSTRAP_KEY, body) : { headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` } },
          );
          expectClientError(answer, `${method} ${target}`);
        }),
        runs(400),
      );
      await servesAGoodCall();
    });

    it('answers malformed top-ups and idempotency keys with a 4xx, applying nothing', async () => {
      const badKey = fc.oneof(
        fc.constant(''),
        tooLong(256).map((value) => value.replace(/[^\x21-\x7e]/g, 'k')),
        fc
          .tuple(fc.string({ maxLength: 10 }), fc.constantFrom(' ', '\t', 'é', 'ÿ'))
          .map(([text, odd]) => `k${text}${odd}x`),
      );
      const badAmount = fc.oneof(
        fc.string().filter((value) => !/^\d+(\.\d{1,9})?$/.test(value)),
        fc.integer(),
        fc.constantFrom('0', '0.0', '-1', '1e9', '1.0000000001', ''),
      );
      const before = await admin<{ balanceNanoUsd: string }>('GET', `/projects/${projectId}/balance`);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            badKey.map((key) => [key, '1.00'] as const),
            badAmount.map((amount) => ['fuzz-amount', amount] as const),
          ),
          async ([key, amount]) => {
            const answer = await send(
              'POST',
              `/admin/v1/projects/${projectId}/credits`,
              json(BOOTSTRAP_KEY, { amountUsd: amount }, { 'idempotency-key': key }),
            );
            expectClientError(answer, `idempotency-key ${JSON.stringify(key)} amount ${JSON.stringify(amount)}`);
          },
        ),
        runs(300),
      );
      const after = await admin<{ balanceNanoUsd: string }>('GET', `/projects/${projectId}/balance`);
      expect(BigInt(after.balanceNanoUsd)).toBeLessThanOrEqual(BigInt(before.balanceNanoUsd));
      await servesAGoodCall();
    });

    it('answers malformed ledger and audit queries with a 4xx', async () => {
      const acceptable = (value: string) =>
        Number.isInteger(Number(value)) && Number(value) > 0 && Number(value) <= 1000;
      const badLimit = fc.oneof(
        fc.string({ minLength: 1 }).filter((value) => !acceptable(value)),
        fc.integer({ max: 0 }).map(String),
        fc.integer({ min: 1001 }).map(String),
      );
      const query = fc.oneof(
        badLimit.map((limit) => `limit=${encodeURIComponent(limit)}`),
        tooLong(257).map((requestId) => `requestId=${encodeURIComponent(requestId)}`),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(`/projects/${projectId}/ledger`, '/audit'), query, async (path, search) => {
          const answer = await send('GET', `/admin/v1${path}?${search}`, {
            headers: { authorization: `Bearer ${BOOTSTRAP_KEY}` },
          });
          expectClientError(answer, `${path}?${search}`);
        }),
        runs(300),
      );
      await servesAGoodCall();
    });
  });
});
