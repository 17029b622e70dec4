import Anthropic from '@anthropic-ai/sdk';
import { pollUntil } from '@polymux/testing';

import type { Suite, SuiteRef } from './suite';
import { BEDROCK_CLAUDE, CLAUDE, GPT, NOVA } from './suite';

const EMBEDDING_MODEL = 'text-embedding-3-small';
/**
 * One embeddings model per family with an embeddings API (the catalog's list price in nano-USD a
 * token); a size asked for where the model takes one, else the model's own.
 */
const EMBEDDING_MODELS = [
  { family: 'openai', model: EMBEDDING_MODEL, dimensions: 256, size: 256, nanoUsd: 20n },
  { family: 'azure', model: 'azure-text-embedding-3-small', dimensions: 256, size: 256, nanoUsd: 20n },
  { family: 'gemini', model: 'gemini-embedding-001', dimensions: 256, size: 256, nanoUsd: 150n },
  { family: 'vllm', model: 'vllm-gte-qwen2-1.5b', dimensions: undefined, size: 1536, nanoUsd: 10n },
] as const;
/** Anthropic's model fields for the catalog's limits of the Claude model. */
const limits = { max_input_tokens: expect.any(Number), max_tokens: expect.any(Number) };

interface AuditRecord {
  requestId: string;
  category: string;
  action: string;
  outcome: string;
}

/** The audit records of one request, once audit has recorded it. */
const auditOf = (suite: Suite, requestId: string) =>
  pollUntil(
    () => suite.gateway.admin<{ data: AuditRecord[] }>('GET', `/audit?requestId=${requestId}`),
    (result) => result.data.length > 0,
    { timeoutMs: 15_000 },
  ).then((result) => result.data);

/** Embeddings and the model list through the SDKs, and the audit trail naming each call's API. */
export const modelsEmbeddingsAuditCases = (suite: SuiteRef): void => {
  describe.each(EMBEDDING_MODELS)(
    'OpenAI SDK, Embeddings → $model ($family)',
    ({ model, dimensions, size, nanoUsd }) => {
      it('embeds texts with usage equal to the charge', async () => {
        const { data, response } = await suite()
          .openai.embeddings.create({ model, input: ['Polymux', 'a gateway'], ...(dimensions ? { dimensions } : {}) })
          .withResponse();
        expect(data.data.map((entry) => entry.index)).toEqual([0, 1]);
        for (const entry of data.data) expect(entry.embedding).toHaveLength(size);
        expect(data.data[0].embedding).not.toEqual(data.data[1].embedding);
        expect(data.usage.prompt_tokens).toBeGreaterThan(0);
        const entries = await suite().gateway.charges(response.headers.get('x-request-id')!);
        expect(entries).toEqual([
          expect.objectContaining({
            kind: 'charge',
            amountNanoUsd: (-BigInt(data.usage.prompt_tokens) * nanoUsd).toString(),
          }),
        ]);
      });
    },
  );

  describe('GET /v1/models', () => {
    it('lists the models through the OpenAI SDK, each owned by its real provider', async () => {
      const models = [];
      for await (const model of suite().openai.models.list()) models.push(model);
      expect(models).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: GPT, object: 'model', owned_by: 'openai' }),
          expect.objectContaining({ id: CLAUDE, object: 'model', owned_by: 'anthropic' }),
          expect.objectContaining({ id: BEDROCK_CLAUDE, object: 'model', owned_by: 'bedrock' }),
          expect.objectContaining({ id: NOVA, object: 'model', owned_by: 'bedrock' }),
        ]),
      );
      await expect(suite().openai.models.retrieve(CLAUDE)).resolves.toMatchObject({ id: CLAUDE });
    });

    // An Anthropic client (its SDK sends anthropic-version and x-api-key) gets Anthropic's list:
    // models of type `model` with a display name and a date, paged by cursors.
    it("lists, pages and retrieves models through the Anthropic SDK, in Anthropic's shape", async () => {
      const { anthropic } = suite();
      // One page of every model (the default page is 20, fewer than the suite's catalog has).
      const page = await anthropic.models.list({ limit: 1_000 });
      expect(page.data).toEqual(
        expect.arrayContaining([
          { type: 'model', id: CLAUDE, display_name: CLAUDE, created_at: expect.any(String), ...limits },
          expect.objectContaining({ type: 'model', id: GPT }),
        ]),
      );
      const ids = page.data.map((model) => model.id);
      expect(ids).toEqual(expect.arrayContaining([GPT, CLAUDE, EMBEDDING_MODEL]));
      expect(page).toMatchObject({ has_more: false, first_id: ids[0], last_id: ids.at(-1) });
      // One model a page: the SDK follows last_id with after_id until has_more is false.
      const paged: string[] = [];
      for await (const model of anthropic.models.list({ limit: 1 })) paged.push(model.id);
      expect(paged).toEqual(ids);
      const before = await anthropic.models.list({ limit: 1, before_id: ids.at(-1)! });
      expect(before.data.map((model) => model.id)).toEqual([ids.at(-2)]);
      await expect(anthropic.models.retrieve(CLAUDE)).resolves.toMatchObject({ type: 'model', id: CLAUDE });
      const missing = await anthropic.models.retrieve('no-such-model').catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
      expect((missing as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
        type: 'error',
        error: { type: 'not_found_error' },
      });
    });
  });

  describe('Audit', () => {
    it('names the API each call came in through', async () => {
      const { openai, anthropic } = suite();
      const calls: Array<[string, () => Promise<unknown>]> = [
        [
          'chat.completions.create',
          () => openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'hi' }] }),
        ],
        ['responses.create', () => openai.responses.create({ model: CLAUDE, input: 'hi' })],
        [
          'messages.create',
          () => anthropic.messages.create({ model: GPT, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
        ],
        ['embeddings.create', () => openai.embeddings.create({ model: EMBEDDING_MODEL, input: 'hi' })],
      ];
      for (const [action, call] of calls) {
        await call();
        const requestId = suite().lastRequestId();
        expect(await auditOf(suite(), requestId)).toEqual([
          expect.objectContaining({ requestId, category: 'call', action, outcome: 'success' }),
        ]);
      }
    });
  });
};
