import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { Me } from '../../api/types';
import type { Recorded } from '../../test/fake-api';
import { VIEWER, baseRoutes, fakeApi } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const READER: Me = {
  ...VIEWER,
  permissions: [...VIEWER.permissions, { permission: 'catalog.read', teamId: null, ownOnly: false }],
};
const FIRST = { timeout: 5_000 };

const price = (usd: string) => ({ usdPerMTok: usd, nanoUsdPerMTok: String(Math.round(Number(usd) * 1e9)) });
const level = (input: string, output: string) => ({
  input: price(input),
  cachedInput: price(input),
  cacheWrite: price(input),
  output: price(output),
  reasoning: price(output),
  imageInput: price(input),
  perRequest: { usd: '0', nanoUsd: '0' },
});
const capabilities = (names: string[]) =>
  Object.fromEntries(
    ['tools', 'parallelTools', 'vision', 'jsonSchema', 'reasoning', 'embeddings', 'streaming'].map((name) => [
      name,
      names.includes(name),
    ]),
  );

const model = (id: string, tier: string, extra: Record<string, unknown> = {}) => ({
  id,
  ownedBy: 'openai',
  aliases: [],
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
  capabilities: capabilities(['tools', 'streaming']),
  qualityTier: tier,
  auto: true,
  deployments: [
    {
      id: `openai/${id}`,
      provider: 'openai',
      upstreamModel: id,
      region: null,
      admin: false,
      pricing: { ...level('0.4', '1.6'), tiers: [] },
      health: null,
    },
  ],
  ...extra,
});

const CATALOG = [
  model('gpt-4.1-mini', 'standard', {
    aliases: ['mini'],
    capabilities: capabilities(['tools', 'vision', 'streaming']),
    deployments: [
      {
        id: 'openai/gpt-4.1-mini',
        provider: 'openai',
        upstreamModel: 'gpt-4.1-mini',
        region: 'eu-west-1',
        admin: false,
        pricing: { ...level('0.4', '1.6'), tiers: [{ aboveInputTokens: 200_000, ...level('0.8', '3.2') }] },
        health: {
          breaker: 'open',
          cooling: false,
          availableAt: '2030-01-01T00:00:00.000Z',
          latencyMs: 812.4,
          ttftMs: 240.2,
          outputTokensPerSecond: null,
          errorRate: 0.125,
          samples: 16,
        },
      },
    ],
  }),
  model('text-embedding-3-small', 'economy', { capabilities: capabilities(['embeddings']), auto: false }),
  model('claude-sonnet-4-5', 'frontier', { ownedBy: 'anthropic' }),
];

const routes = (pages = false) => ({
  ...baseRoutes(READER),
  'GET /admin/v1/catalog': ({ search }: Recorded) =>
    pages && !search.includes('cursor=c2')
      ? { data: CATALOG.slice(0, 1), nextCursor: 'c2', revision: 1, reference: null }
      : {
          data: pages ? CATALOG.slice(1) : CATALOG,
          nextCursor: null,
          revision: 1,
          reference: { model: 'claude-sonnet-4-5', deploymentId: 'x', qualityTier: 'frontier' },
        },
});

describe('Models', () => {
  it('lists the whole catalog, every page, with context windows, capabilities and prices', async () => {
    const requests = fakeApi(routes(true));
    renderConsole('/models');
    const row = (await screen.findByRole('rowheader', { name: /gpt-4.1-mini/ }, FIRST)).closest('tr')!;
    expect(row).toHaveTextContent('128,000');
    expect(row).toHaveTextContent('Tools, Vision');
    expect(within(row).getByText('$0.4')).toHaveAttribute('data-price', 'input');
    expect(row).toHaveTextContent('1 of 1 degraded: Open');
    expect(screen.getByText(/3 of 3 models/)).toHaveTextContent('measured against claude-sonnet-4-5');
    expect(requests.filter((request) => request.path === '/admin/v1/catalog')).toHaveLength(2);
  });

  it('searches and filters', async () => {
    fakeApi(routes());
    renderConsole('/models');
    await screen.findByRole('rowheader', { name: /gpt-4.1-mini/ }, FIRST);
    await userEvent.type(screen.getByLabelText('Search'), 'anthropic');
    expect(screen.getAllByRole('rowheader').map((cell) => cell.textContent)).toEqual(['claude-sonnet-4-5']);
    await userEvent.clear(screen.getByLabelText('Search'));
    await userEvent.selectOptions(screen.getByLabelText('Capability'), 'embeddings');
    expect(screen.getAllByRole('rowheader').map((cell) => cell.textContent)).toEqual(['text-embedding-3-small']);
    await userEvent.selectOptions(screen.getByLabelText('Capability'), '');
    await userEvent.click(screen.getByLabelText('Degraded deployments only'));
    expect(screen.getAllByRole('rowheader').map((cell) => cell.textContent)).toEqual(['gpt-4.1-minimini']);
    await userEvent.selectOptions(screen.getByLabelText('Quality tier'), 'frontier');
    expect(screen.getByText('No model matches')).toBeInTheDocument();
  });

  it("opens a model's detail: each deployment's prices at every tier and its health", async () => {
    fakeApi(routes());
    renderConsole('/models');
    await userEvent.click(await screen.findByRole('button', { name: 'gpt-4.1-mini' }, FIRST));
    const detail = screen.getByRole('region', { name: 'gpt-4.1-mini' });
    expect(detail).toHaveTextContent('eu-west-1');
    const prices = within(detail).getByRole('region', { name: 'Prices of openai/gpt-4.1-mini' });
    const rows = within(prices).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Base$0.4$0.4$0.4$1.6$1.6$0.4$0');
    expect(rows[2]).toHaveTextContent('Input above 200,000 tokens$0.8');
    expect(detail).toHaveTextContent('Breaker' + 'Open');
    expect(detail).toHaveTextContent('812 ms');
    expect(detail).toHaveTextContent('12.5%');
    await userEvent.click(within(detail).getByRole('button', { name: 'Back to all models' }));
    expect(screen.getByRole('region', { name: 'Models' })).toBeInTheDocument();
  });

  it('says so for a model the catalog does not have, and shows a failure with what to do', async () => {
    fakeApi(routes());
    renderConsole('/models?model=gone');
    expect(await screen.findByText('No model gone in the catalog', {}, FIRST)).toBeInTheDocument();
    fakeApi({
      ...baseRoutes(READER),
      'GET /admin/v1/catalog': () => ({
        status: 503,
        body: { error: { message: 'no router answered', type: 'api_error', param: null, code: null } },
      }),
    });
    renderConsole('/models');
    expect(await screen.findByRole('alert', {}, FIRST)).toHaveTextContent('The gateway failed');
  });
});
