import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { createdKeys } from '../../auth/created-keys';
import type { Recorded } from '../../test/fake-api';
import { AUDITOR, OPERATOR, baseRoutes, fakeApi, keyOf } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const POLICY = '/admin/v1/routing-policies/project/proj-1';
const stored = (policy: unknown, scope = 'project', scopeId = 'proj-1') => ({
  id: `pol-${scopeId}`,
  scope,
  scopeId,
  policy,
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-02T03:04:05.000Z',
});
const notFound = () => ({
  status: 404,
  body: { error: { message: 'no routing policy', type: 'not_found_error', param: null, code: null } },
});
const routes = (overrides: Record<string, (request: Recorded) => unknown> = {}) => ({
  ...baseRoutes(OPERATOR),
  'GET /admin/v1/routing-policies': () => ({ data: [], nextCursor: null }),
  'GET /admin/v1/projects/proj-1/keys': () => ({ data: [keyOf('k1')], nextCursor: null }),
  [`GET ${POLICY}`]: notFound,
  ...overrides,
});

const EXPLANATION = {
  task: 'chat',
  complexity: 'low',
  confidence: 0.97,
  language: 'en',
  inputTokens: 9,
  signals: {
    estimatedInputTokens: 12,
    inputTokensUpperBound: 40,
    messageCount: 1,
    hasTools: false,
    hasImages: false,
    hasResponseFormat: false,
    hasCodeFence: false,
    complexity: 'low',
  },
  resolvedFrom: 'auto',
  strategy: 'cheapest-capable',
  tier: 'economy',
  candidates: [
    {
      deploymentId: 'sim/small',
      model: 'small',
      provider: 'openai',
      kept: true,
      score: 1,
      reason: '$0.1/$0.4 per MTok',
    },
    {
      deploymentId: 'sim/mid',
      model: 'mid',
      provider: 'openai',
      kept: true,
      score: 0.25,
      reason: '$0.4/$1.6 per MTok',
    },
    {
      deploymentId: 'sim/big',
      model: 'big',
      provider: 'anthropic',
      kept: false,
      reason: 'model big is denied by the routing policy',
    },
  ],
  model: 'small',
  deploymentId: 'sim/small',
  fallbacks: [{ model: 'mid', deploymentId: 'sim/mid' }],
};

describe('Routing: policies', () => {
  it('lists the attached policies and opens the project’s in the form', async () => {
    fakeApi(
      routes({
        'GET /admin/v1/routing-policies': () => ({
          data: [stored({ denyModels: ['big'], strategy: { type: 'fastest' } }), stored({}, 'org', 'org-1')],
          nextCursor: null,
        }),
        [`GET ${POLICY}`]: () => stored({ denyModels: ['big'], strategy: { type: 'fastest' } }),
      }),
    );
    renderConsole('/routing');
    // The first render compiles the lazily loaded page.
    await screen.findByLabelText('Project', {}, { timeout: 5_000 });
    const row = (await screen.findByRole('rowheader', { name: 'project app' })).closest('tr')!;
    expect(row).toHaveTextContent('denyModels, strategy');
    expect(screen.getByRole('rowheader', { name: 'org Acme' })).toBeInTheDocument();
    expect(await screen.findByLabelText('Denied models')).toHaveValue('big');
    expect(screen.getByLabelText('Order candidates by')).toHaveValue('fastest');
  });

  it('saves the policy the form describes', async () => {
    const requests = fakeApi(routes({ [`PUT ${POLICY}`]: ({ body }: Recorded) => stored(body) }));
    renderConsole('/routing');
    expect(await screen.findByText(/No policy is attached to project app yet/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Denied models'), 'big, huge');
    await userEvent.selectOptions(screen.getByLabelText('Order candidates by'), 'balanced');
    await userEvent.clear(screen.getByLabelText('Cost weight'));
    await userEvent.type(screen.getByLabelText('Cost weight'), '2');
    await userEvent.type(screen.getByLabelText('Highest output price (USD per million tokens)'), '20');
    await userEvent.click(screen.getByLabelText('Zero-retention deployments only'));
    await userEvent.type(screen.getByLabelText('From this percentage of a budget spent'), '80');
    await userEvent.selectOptions(screen.getByLabelText('At most this tier'), 'standard');
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect(await screen.findByText('Saved the policy of project app.')).toBeInTheDocument();
    expect(requests.find((request) => request.method === 'PUT')!.body).toEqual({
      denyModels: ['big', 'huge'],
      strategy: { type: 'balanced', weights: { cost: 2, quality: 1, speed: 1 } },
      maxPricePerMTok: { output: '20' },
      zeroRetentionOnly: true,
      budgetPressure: { atPercent: 80, maxTier: 'standard' },
    });
  });

  it('shows what the API refuses at the field it names', async () => {
    fakeApi(
      routes({
        [`PUT ${POLICY}`]: () => ({
          status: 400,
          body: {
            error: {
              message: 'maxPricePerMTok.input: a USD amount per million tokens such as "2.50"',
              type: 'invalid_request_error',
              param: 'maxPricePerMTok.input',
              code: null,
            },
          },
        }),
      }),
    );
    renderConsole('/routing');
    const input = await screen.findByLabelText('Highest input price (USD per million tokens)');
    await userEvent.type(input, 'cheap');
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(input).toHaveAttribute('aria-invalid', 'true'));
    expect(input).toHaveAccessibleDescription(/a USD amount per million tokens/);
    expect(screen.getByRole('alert')).toHaveTextContent('Correct the marked field');
    expect(screen.getByLabelText('Denied models')).not.toHaveAttribute('aria-invalid');
  });

  it('names JSON that does not parse at its field and sends nothing', async () => {
    const requests = fakeApi(routes());
    renderConsole('/routing');
    const aliases = await screen.findByLabelText('Aliases');
    await userEvent.type(aliases, '{{"fast": ');
    await userEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect(aliases).toHaveAttribute('aria-invalid', 'true');
    expect(aliases).toHaveAccessibleDescription(/aliases is not valid JSON/);
    expect(requests.some((request) => request.method === 'PUT')).toBe(false);
  });

  it('removes a policy only once confirmed', async () => {
    let attached = true;
    const requests = fakeApi(
      routes({
        [`GET ${POLICY}`]: () => (attached ? stored({ zeroRetentionOnly: true }) : notFound()),
        [`DELETE ${POLICY}`]: () => ((attached = false), stored({ zeroRetentionOnly: true })),
      }),
    );
    renderConsole('/routing');
    await userEvent.click(await screen.findByRole('button', { name: 'Remove policy' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove the policy of project app?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests.some((request) => request.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Remove policy' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText(/No policy is attached to project app yet/)).toBeInTheDocument();
    expect(requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
  });

  it('opens a key’s policy at the key level', async () => {
    const requests = fakeApi(
      routes({ 'GET /admin/v1/routing-policies/key/k1': () => stored({ allowModels: ['small'] }, 'key', 'k1') }),
    );
    renderConsole('/routing');
    await screen.findByRole('button', { name: 'Save policy' });
    await userEvent.selectOptions(screen.getByLabelText('Level'), 'key');
    expect(await screen.findByLabelText('Allowed models')).toHaveValue('small');
    expect(requests.some((request) => request.path === '/admin/v1/routing-policies/key/k1')).toBe(true);
  });

  it('shows an auditor the policy and no way to change it', async () => {
    fakeApi({
      ...routes({ [`GET ${POLICY}`]: () => stored({ denyModels: ['big'] }) }),
      ...{ 'GET /admin/v1/me': () => AUDITOR },
    });
    renderConsole('/routing');
    expect(await screen.findByTestId('policy-json')).toHaveTextContent('"denyModels"');
    expect(screen.queryByRole('button', { name: /Save policy|Remove policy/ })).toBeNull();
    expect(screen.queryByLabelText('Denied models')).toBeNull();
  });

  it('says what to do when the policies cannot be read', async () => {
    fakeApi(
      routes({
        'GET /admin/v1/routing-policies': () => ({
          status: 403,
          body: {
            error: {
              message: 'your roles do not allow policy.read',
              type: 'permission_error',
              param: null,
              code: null,
            },
          },
        }),
      }),
    );
    renderConsole('/routing');
    expect(await screen.findByText(/Could not load the policies: your roles do not allow/)).toBeInTheDocument();
    expect(screen.getAllByRole('alert')[0]).toHaveTextContent('ask an owner or admin');
  });
});

describe('Routing: playground', () => {
  it('explains a request with a pasted key: task, signals, candidates with scores and reasons, choice, fallbacks', async () => {
    const requests = fakeApi(routes({ 'POST /v1/routing/explain': () => EXPLANATION }));
    renderConsole('/routing');
    await userEvent.type(await screen.findByLabelText('API key'), 'pmx-pasted-key');
    await userEvent.type(screen.getByLabelText('Content of message 1'), 'a private question');
    await userEvent.click(screen.getByRole('button', { name: 'Explain routing' }));
    expect(await screen.findByTestId('choice')).toHaveTextContent('small on sim/small');
    const explanation = screen.getByTestId('explanation');
    expect(explanation).toHaveTextContent('chat (confidence 0.97)');
    expect(screen.getByTestId('fallbacks')).toHaveTextContent('mid on sim/mid');
    const excluded = screen.getByRole('rowheader', { name: 'sim/big' }).closest('tr')!;
    expect(excluded).toHaveTextContent('Excluded');
    expect(excluded).toHaveTextContent('model big is denied by the routing policy');
    expect(screen.getByRole('rowheader', { name: 'sim/mid' }).closest('tr')).toHaveTextContent('0.250');
    const sent = requests.find((request) => request.path === '/v1/routing/explain')!;
    expect(sent.headers.get('authorization')).toBe('Bearer pmx-pasted-key');
    expect(sent.body).toEqual({ model: 'auto', messages: [{ role: 'user', content: 'a private question' }] });
    // The prompt is kept nowhere but the page's memory.
    const stored = [...Object.values(localStorage), ...Object.values(sessionStorage)].join('');
    expect(stored).not.toContain('a private question');
    expect(stored).not.toContain('pmx-pasted-key');
  });

  it('sends tools and response_format, and offers a key created in this tab', async () => {
    createdKeys.add({ ...keyOf('new', { name: 'fresh key' }), key: 'pmx-created-here' } as never);
    const requests = fakeApi(routes({ 'POST /v1/routing/explain': () => EXPLANATION }));
    renderConsole('/routing');
    expect(await screen.findByLabelText('API key')).toHaveDisplayValue('fresh key (created in this tab)');
    await userEvent.clear(screen.getByLabelText('Model'));
    await userEvent.type(screen.getByLabelText('Model'), 'small');
    await userEvent.type(screen.getByLabelText('Content of message 1'), 'x');
    await userEvent.click(screen.getByRole('button', { name: 'Add a message' }));
    await userEvent.selectOptions(screen.getByLabelText('Role of message 2'), 'assistant');
    await userEvent.type(screen.getByLabelText('Content of message 2'), 'y');
    await userEvent.type(screen.getByLabelText('response_format (JSON, optional)'), '{{"type": "json_object"}');
    await userEvent.click(screen.getByRole('button', { name: 'Explain routing' }));
    await screen.findByTestId('choice');
    const sent = requests.find((request) => request.path === '/v1/routing/explain')!;
    expect(sent.headers.get('authorization')).toBe('Bearer pmx-created-here');
    expect(sent.body).toEqual({
      model: 'small',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y' },
      ],
      response_format: { type: 'json_object' },
    });
    createdKeys.clear();
  });

  it('says what to do about a refused key, and names a field the API names', async () => {
    let status = 401;
    fakeApi(
      routes({
        'POST /v1/routing/explain': () => ({
          status,
          body: {
            error: {
              message: status === 401 ? 'Invalid API key' : 'messages: at least one message',
              type: 'invalid_request_error',
              param: status === 401 ? null : 'tools',
              code: null,
            },
          },
        }),
      }),
    );
    renderConsole('/routing');
    await userEvent.type(await screen.findByLabelText('API key'), 'pmx-wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Explain routing' }));
    expect(await screen.findByText(/Could not explain the request: Invalid API key/)).toBeInTheDocument();
    expect(screen.getByText(/The API key was refused/)).toBeInTheDocument();
    status = 400;
    await userEvent.click(screen.getByRole('button', { name: 'Explain routing' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Tools (JSON, optional)')).toHaveAttribute('aria-invalid', 'true'),
    );
  });
});
