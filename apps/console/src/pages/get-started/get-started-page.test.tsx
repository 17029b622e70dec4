import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { CONFIG, DEVELOPER, OPERATOR, VIEWER, baseRoutes, fakeApi, keyOf } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const created = { ...keyOf('new'), key: 'pmx-brand-new-secret' };

describe('Get started', () => {
  it("shows the data plane's base URL: the console's origin in the embedded mode", async () => {
    fakeApi(baseRoutes(OPERATOR));
    renderConsole('/get-started');
    expect(await screen.findByTestId('base-url')).toHaveTextContent(`${window.location.origin}/v1`);
  });

  it('uses POLYMUX_PUBLIC_URL when the gateway names one', async () => {
    fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/console/config': () => ({ ...CONFIG, mode: 'distributed', publicUrl: 'https://ai.example.com' }),
    });
    renderConsole('/get-started');
    expect(await screen.findByTestId('base-url')).toHaveTextContent('https://ai.example.com/v1');
  });

  it('creates a key in one click, shows it once, and fills it into every snippet', async () => {
    const requests = fakeApi({ ...baseRoutes(OPERATOR), 'POST /admin/v1/projects/proj-1/keys': () => created });
    renderConsole('/get-started');
    await userEvent.click(await screen.findByRole('button', { name: 'Create a key for app' }));
    expect(await screen.findByTestId('secret')).toHaveTextContent('pmx-brand-new-secret');
    const post = requests.find((request) => request.method === 'POST')!;
    expect(post.body).toEqual({ name: expect.stringMatching(/^Get started \d{4}-\d\d-\d\d$/) });
    const tabs = screen.getAllByRole('tab').map((tab) => tab.textContent);
    expect(tabs).toEqual(['curl', 'OpenAI SDK (TypeScript)', 'OpenAI SDK (Python)', 'Anthropic SDK', 'LangChain']);
    for (const tab of tabs) {
      await userEvent.click(screen.getByRole('tab', { name: tab! }));
      const code = within(screen.getByRole('tabpanel')).getByText(/pmx-brand-new-secret/);
      expect(code.textContent).toContain(window.location.origin);
    }
  });

  it('moves between snippets with the arrow keys', async () => {
    fakeApi(baseRoutes(OPERATOR));
    renderConsole('/get-started');
    const curl = await screen.findByRole('tab', { name: 'curl' });
    curl.focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'OpenAI SDK (TypeScript)' })).toHaveFocus();
    expect(screen.getByRole('tabpanel')).toHaveTextContent("import OpenAI from 'openai'");
    await userEvent.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'LangChain' })).toHaveAttribute('aria-selected', 'true');
  });

  it('creates a personal key for a developer, who may create only those', async () => {
    const requests = fakeApi({ ...baseRoutes(DEVELOPER), 'POST /admin/v1/projects/proj-1/keys': () => created });
    renderConsole('/get-started');
    await userEvent.click(await screen.findByRole('button', { name: 'Create a key for app' }));
    await screen.findByTestId('secret');
    expect(requests.find((request) => request.method === 'POST')!.body).toMatchObject({ userId: 'user-d' });
  });

  it('offers a viewer no key creation and no top-up, and says who can', async () => {
    fakeApi(baseRoutes(VIEWER));
    renderConsole('/get-started');
    expect(await screen.findByText(/Your roles do not create keys/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Create a key/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Top up' })).toBeNull();
  });

  it('tops up with an idempotency key and shows the new balance', async () => {
    const requests = fakeApi({
      ...baseRoutes(OPERATOR),
      'POST /admin/v1/projects/proj-1/credits': () => ({ balanceUsd: '35', reservedUsd: '0' }),
    });
    renderConsole('/get-started');
    expect(await screen.findByTestId('balance')).toHaveTextContent('$10');
    const amount = screen.getByLabelText('Amount (USD)');
    await userEvent.clear(amount);
    await userEvent.type(amount, '25');
    await userEvent.click(screen.getByRole('button', { name: 'Top up' }));
    expect(await screen.findByTestId('balance')).toHaveTextContent('$35');
    const post = requests.find((request) => request.path.endsWith('/credits'))!;
    expect(post.body).toEqual({ amountUsd: '25' });
    expect(post.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
