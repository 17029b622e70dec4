import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { OPERATOR, baseRoutes, fakeApi } from '../test/fake-api';
import { renderConsole } from '../test/render';

describe('the shell', () => {
  it('has a skip link to the main content, and navigation of the pages', async () => {
    fakeApi(baseRoutes(OPERATOR));
    renderConsole('/get-started');
    await screen.findByRole('heading', { name: 'Get started', level: 1 });
    expect(screen.getByRole('link', { name: 'Skip to content' })).toHaveAttribute('href', '#main');
    const nav = screen.getByRole('navigation', { name: 'Console' });
    expect(
      within(nav)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual([
      'Get started',
      'API keys',
      'Usage and costs',
      'Credits and billing',
      'Budgets and alerts',
      'Routing',
      'Sessions',
      'Audit',
      'Organisation',
    ]);
    expect(within(nav).getByRole('link', { name: 'Get started' })).toHaveAttribute('aria-current', 'page');
  });

  it('switches the theme and remembers the choice', async () => {
    fakeApi(baseRoutes(OPERATOR));
    renderConsole('/get-started');
    const toggle = await screen.findByRole('button', { name: 'Dark theme' });
    const before = document.documentElement.dataset.theme;
    await userEvent.click(toggle);
    const after = before === 'dark' ? 'light' : 'dark';
    expect(document.documentElement.dataset.theme).toBe(after);
    expect(localStorage.getItem('polymux.console.theme')).toBe(after);
    expect(toggle).toHaveAttribute('aria-pressed', String(after === 'dark'));
  });

  it('signs out: the credential is forgotten', async () => {
    fakeApi(baseRoutes(OPERATOR));
    renderConsole('/get-started');
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByLabelText('Admin key')).toBeInTheDocument();
    expect(sessionStorage.getItem('polymux.console.credential')).toBeNull();
  });

  it('signs out when the API stops taking the credential', async () => {
    fakeApi({
      ...baseRoutes(OPERATOR),
      'GET /admin/v1/me': () => ({
        status: 401,
        body: { error: { message: 'invalid admin key', type: 'authentication_error', param: null, code: null } },
      }),
    });
    renderConsole('/get-started');
    expect(await screen.findByLabelText('Admin key')).toBeInTheDocument();
  });
});
