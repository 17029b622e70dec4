import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Anthropic from '@anthropic-ai/sdk';
import type { ProviderSim } from '@polymux/provider-sim';
import { startProviderSim } from '@polymux/provider-sim';
import { usdToNano } from '@polymux/contracts';
import { pollUntil } from '@polymux/testing';
import OpenAI from 'openai';

import type { Gateway, LedgerEntry } from './support/gateway';
import { MODES, startGateway } from './support/gateway';
import { countingFetch } from './support/counting-fetch';

jest.setTimeout(180_000);

/*
 * The charging rules end to end (docs/billing.md, "Charging rules"): HTTP → router → billing's hold →
 * executor → a provider simulator this suite runs itself (so it counts the upstream hits) → usage on
 * the bus → billing's charge in the ledger, in both run modes. Every expected amount is computed here
 * by hand from the catalog's list prices below and the usage the caller was told.
 */

/** List prices in nano-USD per million tokens (the catalog's USD × 10^9), and per request. */
const PRICED = { input: 1_000_000_000n, cached: 12_500_000n, output: 4_000_000_000n, reasoning: 7_000_000_000n };
const PRICED_PER_REQUEST = 300_000n;
const CLAUDE = { input: 3_000_000_000n, cached: 300_000_000n, write: 3_750_000_000n, output: 15_000_000_000n };
const EMBED = 20_000_000n;
/** A 1×1 transparent PNG. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const CHEAP = 1_000_000_000n;
const SPARE = 2_000_000_000n;

/** Tokens × nano-USD per million tokens, summed and rounded up to a whole nano-USD, as providers bill. */
const listCost = (...terms: Array<[number, bigint]>): bigint => {
  const total = terms.reduce((sum, [tokens, perMTok]) => sum + BigInt(tokens) * perMTok, 0n);
  return (total + 999_999n) / 1_000_000n;
};

const writeCatalog = (simUrl: string): string => {
  const deployment = (id: string, scenario: string | null, pricing: string, provider = 'openai') => `
      - id: ${id}
        provider: ${provider}
        baseUrl: ${simUrl}${scenario ? `/scenario/${scenario}` : ''}/v1
        upstreamModel: ${id.split('/')[1]}
        pricing: ${pricing}`;
  const model = (id: string, deployments: string, extra = '') => `
  - id: ${id}
    contextWindow: 128000
    maxOutputTokens: ${extra.includes('embeddings') ? 0 : 4096}${extra}
    deployments:${deployments}`;
  const flat = (usd: string) => `{ input: '${usd}', output: '${usd}' }`;
  const yaml = `models:${[
    model(
      'priced-model',
      deployment(
        'sim/priced-model',
        'cached=7,reasoning=5,tokens=20',
        "{ input: '1.00', cachedInput: '0.0125', output: '4.00', reasoning: '7.00', perRequest: '0.0003' }",
      ),
      '\n    capabilities: { vision: true }',
    ),
    model(
      'claude-model',
      deployment(
        'anthropic/claude-model',
        null,
        "{ input: '3.00', cachedInput: '0.30', cacheWrite: '3.75', output: '15.00' }",
        'anthropic',
      ),
    ),
    model(
      'embed-model',
      deployment('sim/embed-model', null, "{ input: '0.02', output: '0' }"),
      '\n    capabilities: { embeddings: true }\n    dimensions: { default: 8, max: 8 }',
    ),
    model(
      'hang-model',
      deployment('hang/hang-model', 'hang', flat('1.00')) + deployment('spare/hang-model', null, flat('2.00')),
    ),
    model(
      'fallback-model',
      deployment('fail/fallback-model', 'status=500', flat('1.00')) +
        deployment('spare/fallback-model', null, flat('2.00')),
    ),
    model('broken-model', deployment('broken/broken-model', 'status=500', flat('1.00'))),
  ].join('')}
auto:
  default: [priced-model]
`;
  const file = join(mkdtempSync(join(tmpdir(), 'polymux-charging-')), 'catalog.yaml');
  writeFileSync(file, yaml);
  return file;
};

/** A fetch that counts the requests an SDK makes through it, to show whether it retried. */
describe.each(MODES)('charging rules (%s mode)', (mode) => {
  let gateway: Gateway;
  let sim: ProviderSim;
  let catalogFile: string;
  let openai: OpenAI;
  let anthropic: Anthropic;

  const balance = (projectId = gateway.projectId) =>
    gateway.admin<{ balanceUsd: string; reservedUsd: string }>('GET', `/projects/${projectId}/balance`);
  /** The balance once billing holds nothing for the project: every call before it is settled or released. */
  const settledBalance = () => pollUntil(balance, (now) => now.reservedUsd === '0', { timeoutMs: 20_000 });
  const ledger = (requestId: string) =>
    gateway
      .admin<{ data: LedgerEntry[] }>('GET', `/projects/${gateway.projectId}/ledger?requestId=${requestId}`)
      .then((result) => result.data);
  /** The one charge of a request, once billing settled it (and the proof that it is the only entry). */
  const onlyCharge = async (requestId: string): Promise<bigint> => {
    const entries = await gateway.charges(requestId);
    await settledBalance();
    expect(await ledger(requestId)).toEqual([expect.objectContaining({ kind: 'charge' })]);
    expect(entries).toHaveLength(1);
    return -BigInt(entries[0]!.amountNanoUsd);
  };
  const newProject = async (credits?: string) => {
    const project = await gateway.admin<{ id: string }>('POST', `/orgs/${gateway.orgId}/projects`, {
      name: `p${Date.now()}`,
    });
    if (credits !== undefined) {
      await gateway.admin(
        'POST',
        `/projects/${project.id}/credits`,
        { amountUsd: credits },
        { 'idempotency-key': project.id },
      );
    }
    const key = await gateway.admin<{ id: string; key: string }>('POST', `/projects/${project.id}/keys`, {
      name: 'k',
    });
    return { projectId: project.id, keyId: key.id, key: key.key };
  };

  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
    catalogFile = writeCatalog(sim.url);
    gateway = await startGateway({
      mode,
      catalogFile,
      label: 'charging',
      env: {
        // A stream's first byte, and a whole unstreamed answer, time out soon: the hang deployment's do.
        POLYMUX_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1000',
        POLYMUX_UPSTREAM_TOTAL_TIMEOUT_MS: '3000',
        POLYMUX_RETRY_BACKOFF_MS: '10',
        POLYMUX_RETRY_BACKOFF_MAX_MS: '100',
      },
    });
    openai = new OpenAI({ apiKey: gateway.apiKey, baseURL: `${gateway.stack.ingressUrl}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: gateway.apiKey, baseURL: gateway.stack.ingressUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await sim?.close();
    if (catalogFile) rmSync(join(catalogFile, '..'), { recursive: true, force: true });
  });

  describe('rule 1: every token kind and the per-request fee at the list prices, no markup', () => {
    it('charges input, cached input, output, reasoning and the per-request fee each at its list price', async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'priced-model', messages: [{ role: 'user', content: 'Price every kind of token, please.' }] })
        .withResponse();
      const usage = data.usage!;
      // The simulator reports what the scenario asks: 7 cached prompt tokens, 5 reasoning tokens.
      expect(usage.prompt_tokens_details?.cached_tokens).toBe(7);
      expect(usage.completion_tokens_details?.reasoning_tokens).toBe(5);
      const expected =
        listCost(
          [usage.prompt_tokens - 7, PRICED.input],
          [7, PRICED.cached],
          [usage.completion_tokens - 5, PRICED.output],
          [5, PRICED.reasoning],
        ) + PRICED_PER_REQUEST;
      expect(await onlyCharge(response.headers.get('x-request-id')!)).toBe(expected);
    });

    it('charges an image, which the provider counts among the input tokens, at the list input price', async () => {
      const text = 'Describe this picture.';
      const plain = await openai.chat.completions.create({
        model: 'priced-model',
        messages: [{ role: 'user', content: text }],
      });
      const { data, response } = await openai.chat.completions
        .create({
          model: 'priced-model',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}`, detail: 'low' } },
              ],
            },
          ],
        })
        .withResponse();
      const usage = data.usage!;
      expect(usage.prompt_tokens).toBeGreaterThan(plain.usage!.prompt_tokens);
      const expected =
        listCost(
          [usage.prompt_tokens - 7, PRICED.input],
          [7, PRICED.cached],
          [usage.completion_tokens - 5, PRICED.output],
          [5, PRICED.reasoning],
        ) + PRICED_PER_REQUEST;
      expect(await onlyCharge(response.headers.get('x-request-id')!)).toBe(expected);
    });

    it('charges a cache write, then the cache read of the same prefix, each at its list price', async () => {
      const params: Anthropic.MessageCreateParamsNonStreaming = {
        model: 'claude-model',
        max_tokens: 64,
        system: [
          {
            type: 'text',
            text: `A long shared instruction for ${mode}. `.repeat(20),
            cache_control: { type: 'ephemeral' },
          },
        ],
        messages: [{ role: 'user', content: 'Answer briefly.' }],
      };
      const cost = (usage: Anthropic.Usage) =>
        listCost(
          [usage.input_tokens, CLAUDE.input],
          [usage.cache_creation_input_tokens ?? 0, CLAUDE.write],
          [usage.cache_read_input_tokens ?? 0, CLAUDE.cached],
          [usage.output_tokens, CLAUDE.output],
        );
      const write = await anthropic.messages.create(params).withResponse();
      expect(write.data.usage.cache_creation_input_tokens).toBeGreaterThan(0);
      expect(write.data.usage.cache_read_input_tokens).toBe(0);
      expect(await onlyCharge(write.response.headers.get('x-request-id')!)).toBe(cost(write.data.usage));

      const read = await anthropic.messages.create(params).withResponse();
      expect(read.data.usage.cache_read_input_tokens).toBe(write.data.usage.cache_creation_input_tokens);
      expect(read.data.usage.cache_creation_input_tokens).toBe(0);
      expect(await onlyCharge(read.response.headers.get('x-request-id')!)).toBe(cost(read.data.usage));
    });
  });

  describe('rule 2: a streamed call costs what the same call costs unstreamed', () => {
    it('charges an OpenAI stream (usage not asked for) the same as the same completion unstreamed', async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Stream or not, same price.' }];
      const whole = await openai.chat.completions.create({ model: 'priced-model', messages }).withResponse();
      const wholeCost = await onlyCharge(whole.response.headers.get('x-request-id')!);

      const streamed = await openai.chat.completions
        .create({ model: 'priced-model', messages, stream: true })
        .withResponse();
      let text = '';
      for await (const chunk of streamed.data) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe(whole.data.choices[0]!.message.content);
      expect(await onlyCharge(streamed.response.headers.get('x-request-id')!)).toBe(wholeCost);
      // Cached and reasoning tokens and the fee are in it: more than its plain tokens at the input price.
      expect(wholeCost).toBeGreaterThan(PRICED_PER_REQUEST);
    });

    it('charges an Anthropic stream the same as the same message unstreamed', async () => {
      const system: Anthropic.TextBlockParam[] = [
        {
          type: 'text',
          text: `Stream pricing instructions for ${mode}. `.repeat(20),
          cache_control: { type: 'ephemeral' },
        },
      ];
      const params = {
        model: 'claude-model',
        max_tokens: 64,
        system,
        messages: [{ role: 'user' as const, content: 'Stream or not, same price.' }],
      };
      // The first call writes the prompt cache, so that the two compared below both read it.
      const warm = await anthropic.messages.create(params).withResponse();
      await onlyCharge(warm.response.headers.get('x-request-id')!);

      const whole = await anthropic.messages.create(params).withResponse();
      expect(whole.data.usage.cache_read_input_tokens).toBeGreaterThan(0);
      const wholeCost = await onlyCharge(whole.response.headers.get('x-request-id')!);

      const streamed = await anthropic.messages.create({ ...params, stream: true }).withResponse();
      let text = '';
      for await (const event of streamed.data) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      }
      expect(text).toBe(whole.data.content.map((block) => (block.type === 'text' ? block.text : '')).join(''));
      expect(await onlyCharge(streamed.response.headers.get('x-request-id')!)).toBe(wholeCost);
    });
  });

  it('rule 3: bills an embeddings call by its input tokens at the list price, once', async () => {
    const before = await settledBalance();
    const { data, response } = await openai.embeddings
      .create({ model: 'embed-model', input: ['one text to embed', 'and another'], encoding_format: 'float' })
      .withResponse();
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
    const expected = listCost([data.usage.prompt_tokens, EMBED]);
    expect(await onlyCharge(response.headers.get('x-request-id')!)).toBe(expected);
    // Once: the balance fell by exactly that one charge.
    const after = await settledBalance();
    expect(usdToNano(before.balanceUsd) - usdToNano(after.balanceUsd)).toBe(expected);
  });

  describe('rule 4: only a call that returns a result is charged', () => {
    it('charges nothing for a call whose every attempt failed, and releases its hold', async () => {
      const before = await settledBalance();
      const hits = sim.stats.requests;
      const response = await fetch(`${gateway.stack.ingressUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'broken-model', messages: [{ role: 'user', content: 'fail please' }] }),
      });
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await response.json()).toEqual({ error: expect.objectContaining({ type: expect.any(String) }) });
      // The upstream was tried and retried: these failed attempts happened, and cost nothing.
      expect(sim.stats.requests - hits).toBeGreaterThan(1);
      const requestId = response.headers.get('x-request-id')!;
      const after = await settledBalance();
      expect(after.balanceUsd).toBe(before.balanceUsd);
      expect(await ledger(requestId)).toEqual([]);
    });

    it('charges a call whose first deployment timed out only for the answer, at the fallback’s price', async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'hang-model', messages: [{ role: 'user', content: 'the first one hangs' }] })
        .withResponse();
      expect(response.headers.get('x-polymux-route')).toMatch(/fallback after \S+ on hang\/hang-model/);
      const usage = data.usage!;
      const expected = listCost([usage.prompt_tokens, SPARE], [usage.completion_tokens, SPARE]);
      expect(await onlyCharge(response.headers.get('x-request-id')!)).toBe(expected);
      expect(expected).not.toBe(listCost([usage.prompt_tokens, CHEAP], [usage.completion_tokens, CHEAP]));
    });

    it('charges a stream whose first deployment sent no first byte in time only for the answer, at the fallback’s price', async () => {
      const { data, response } = await openai.chat.completions
        .create({
          model: 'hang-model',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'the first one hangs, streamed' }],
        })
        .withResponse();
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of data) usage = chunk.usage ?? usage;
      expect(response.headers.get('x-polymux-route')).toMatch(/fallback after \S+ on hang\/hang-model/);
      const expected = listCost([usage!.prompt_tokens, SPARE], [usage!.completion_tokens, SPARE]);
      expect(await onlyCharge(response.headers.get('x-request-id')!)).toBe(expected);
    });

    it('charges a stream whose first deployment failed only for the answer, at the fallback’s price', async () => {
      const { data, response } = await openai.chat.completions
        .create({
          model: 'fallback-model',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'the first one fails' }],
        })
        .withResponse();
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of data) usage = chunk.usage ?? usage;
      expect(response.headers.get('x-polymux-route')).toMatch(/fallback after 500 on fail\/fallback-model/);
      const expected = listCost([usage!.prompt_tokens, SPARE], [usage!.completion_tokens, SPARE]);
      expect(await onlyCharge(response.headers.get('x-request-id')!)).toBe(expected);
    });
  });

  it('rule 5: refuses a call the balance or a hard budget cannot cover before it starts, in each format, and the SDKs do not retry it', async () => {
    const broke = await newProject();
    const frozen = await newProject('5.00');
    await gateway.admin('POST', '/budgets', {
      scope: 'key',
      scopeId: frozen.keyId,
      period: 'daily',
      amountUsd: '1.00',
      hardLimitUsd: '0',
    });
    const hits = sim.stats.requests;
    const cases = [
      { key: broke.key, code: 'insufficient_credits' },
      { key: frozen.key, code: 'budget_exceeded' },
    ];
    for (const { key, code } of cases) {
      // The SDKs' default retries are on: a 402 is not among what they retry.
      const openAiFetch = countingFetch();
      const sdk = new OpenAI({ apiKey: key, baseURL: `${gateway.stack.ingressUrl}/v1`, fetch: openAiFetch.fetch });
      const refused = await sdk.chat.completions
        .create({ model: 'priced-model', messages: [{ role: 'user', content: 'refuse me' }] })
        .catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect(refused).toMatchObject({ status: 402, code });
      expect(openAiFetch.counter.requests).toBe(1);

      const anthropicFetch = countingFetch();
      const claude = new Anthropic({ apiKey: key, baseURL: gateway.stack.ingressUrl, fetch: anthropicFetch.fetch });
      const refusedToo = await claude.messages
        .create({ model: 'claude-model', max_tokens: 64, messages: [{ role: 'user', content: 'refuse me' }] })
        .catch((caught: unknown) => caught);
      expect(refusedToo).toBeInstanceOf(Anthropic.APIError);
      expect(refusedToo).toMatchObject({ status: 402, type: 'billing_error' });
      expect(anthropicFetch.counter.requests).toBe(1);
    }
    // Before the call: no provider was asked, nothing was held or charged.
    expect(sim.stats.requests).toBe(hits);
    expect(await balance(broke.projectId)).toEqual(expect.objectContaining({ balanceUsd: '0', reservedUsd: '0' }));
    const untouched = await balance(frozen.projectId);
    expect([usdToNano(untouched.balanceUsd), untouched.reservedUsd]).toEqual([5_000_000_000n, '0']);
  });
});
