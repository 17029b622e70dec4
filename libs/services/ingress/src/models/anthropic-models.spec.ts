import type { ModelInfo } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import { anthropicModelPage, isAnthropicCaller, toAnthropicModel } from './anthropic-models';

const model = (id: string): ModelInfo => ({
  id,
  ownedBy: 'anthropic',
  aliases: [],
  contextWindow: 200_000,
  maxOutputTokens: 64_000,
  capabilities: {
    tools: true,
    parallelTools: true,
    vision: true,
    jsonSchema: true,
    reasoning: true,
    embeddings: false,
    streaming: true,
  },
  pricing: { input: '3', output: '15' },
});
const models = ['a', 'b', 'c', 'd', 'e'].map(model);
const ids = (query: unknown) => anthropicModelPage(models, query).data.map((entry) => entry.id);

const refusal = (query: unknown): PolymuxException => {
  try {
    anthropicModelPage(models, query);
  } catch (error) {
    if (error instanceof PolymuxException) return error;
    throw error;
  }
  throw new Error('the query was accepted');
};

describe('the Anthropic model list', () => {
  it('describes a model as Anthropic does, with an epoch date for an unknown release', () => {
    expect(toAnthropicModel(model('claude-sonnet-4-5'))).toEqual({
      type: 'model',
      id: 'claude-sonnet-4-5',
      display_name: 'claude-sonnet-4-5',
      created_at: '1970-01-01T00:00:00Z',
      max_input_tokens: 200_000,
      max_tokens: 64_000,
    });
  });

  it('answers the first 20 by default, with the cursors of the page', () => {
    expect(anthropicModelPage(models, {})).toMatchObject({ has_more: false, first_id: 'a', last_id: 'e' });
    const many = Array.from({ length: 25 }, (_unused, index) => model(`m${index}`));
    const page = anthropicModelPage(many, undefined);
    expect(page).toMatchObject({ has_more: true, first_id: 'm0', last_id: 'm19' });
    expect(page.data).toHaveLength(20);
  });

  it('pages forward after after_id and backward before before_id (query strings as Fastify hands them)', () => {
    expect(anthropicModelPage(models, { limit: '2' })).toMatchObject({ has_more: true, last_id: 'b' });
    expect(ids({ limit: '2', after_id: 'b' })).toEqual(['c', 'd']);
    expect(anthropicModelPage(models, { limit: '2', after_id: 'd' })).toMatchObject({
      data: [expect.objectContaining({ id: 'e' })],
      has_more: false,
    });
    expect(anthropicModelPage(models, { limit: '2', before_id: 'd' })).toMatchObject({
      first_id: 'b',
      last_id: 'c',
      has_more: true,
    });
    expect(anthropicModelPage(models, { limit: '2', before_id: 'b' })).toMatchObject({
      first_id: 'a',
      has_more: false,
    });
    expect(anthropicModelPage(models, { before_id: 'a' })).toEqual({
      data: [],
      has_more: false,
      first_id: null,
      last_id: null,
    });
  });

  it.each([
    ['a limit of 0', { limit: '0' }, 'limit'],
    ['a limit over 1000', { limit: '1001' }, 'limit'],
    ['a limit that is no number', { limit: 'ten' }, 'limit'],
    ['both cursors', { after_id: 'a', before_id: 'c' }, 'before_id'],
    ['an unknown after_id', { after_id: 'zz' }, 'after_id'],
    ['an unknown before_id', { before_id: 'zz' }, 'before_id'],
  ])('refuses %s with a 400 naming the parameter', (_name, query, param) => {
    const error = refusal(query);
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.details.param ?? error.message).toContain(param);
  });

  it('knows an Anthropic client by its version header or its x-api-key', () => {
    expect(isAnthropicCaller({ 'anthropic-version': '2023-06-01', authorization: 'Bearer k' })).toBe(true);
    expect(isAnthropicCaller({ 'x-api-key': 'k' })).toBe(true);
    expect(isAnthropicCaller({ authorization: 'Bearer k' })).toBe(false);
    expect(isAnthropicCaller({ authorization: 'Bearer k', 'x-api-key': 'k' })).toBe(false);
  });
});
