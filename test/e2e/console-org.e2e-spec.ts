import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { pollUntil } from '@polymux/testing';
import type { Browser, Page } from 'playwright-core';

import type { AuditView } from './support/audit';
import { SCREENSHOTS, accessibilityProblems, launchBrowser, newContext, signIn } from './support/console';
import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(300_000);

/*
 * The Organisation page end to end, in headless Chromium against the real gateway (HTTP → control
 * → its database): the operator creates a team and a project in it, lets providers retain the
 * project's data, invites a developer of the team (the link shown once) and revokes another
 * invitation; the invitee opens the link in a browser of their own, accepts, is signed in as a
 * developer with a personal key, sees what a developer sees, and signs in again with that key.
 * Every step is in the audit trail; every page passes axe-core; the screenshots are taken in the
 * embedded mode (docs/console/).
 */

describe.each(MODES)('console: organisation and invitations (%s mode)', (mode) => {
  let gateway: Gateway;
  let browser: Browser;
  let url: string;
  // Each mode's gateway has an org of its own: these names are unique in it.
  const invitee = 'dana@example.com';

  const screenshot = async (page: Page, name: string) => {
    if (mode === 'embedded') await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
  };
  const audited = (action: string) =>
    pollUntil(
      () =>
        gateway.admin<{ data: AuditView[] }>('GET', `/audit?orgId=${gateway.orgId}&action=${action}&category=admin`),
      (page) => page.data.length > 0,
      { timeoutMs: 15_000 },
    ).then((page) => page.data);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gateway = await startGateway({ mode, label: 'console-org', catalogFile: join(__dirname, 'catalog.yaml') });
    url = gateway.stack.controlUrl;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('lets the operator invite a developer, who accepts in the console and works as a developer', async () => {
    const operator = await newContext(browser);
    const page = await signIn(operator, url, gateway.adminKey);
    await page.goto(`${url}/console/organisation?org=${gateway.orgId}`);
    await page.getByRole('heading', { name: /^Organisation/, level: 1 }).waitFor();
    await page.getByRole('form', { name: 'Invite someone' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    // A team, and a project in it whose data providers may retain.
    await page.getByLabel('New team name').fill('research');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('region', { name: 'Team table' }).getByRole('rowheader', { name: 'research' }).waitFor();
    await page.getByLabel('New project name').fill('research app');
    await page.getByLabel('Team', { exact: true }).selectOption({ label: 'research' });
    await page.getByRole('button', { name: 'Create project' }).click();
    const projectRow = page.locator('tr', { has: page.getByRole('rowheader', { name: 'research app' }) });
    await projectRow.waitFor();
    await page.getByLabel('Providers may retain the data of research app').check();
    await projectRow.getByText('Allowed').waitFor();
    const projects = await gateway.admin<{
      data: Array<{ id: string; name: string; team_id: string; data_retention: boolean }>;
    }>('GET', `/orgs/${gateway.orgId}/projects`);
    const project = projects.data.find((candidate) => candidate.name === 'research app')!;
    expect(project.data_retention).toBe(true);

    // The invitation: a developer of the team, their personal key in its project; the link shown once.
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill(invitee);
    await form.getByLabel('Name (optional)').fill('Dana Developer');
    await form.getByLabel('Role', { exact: true }).selectOption({ label: 'Developer' });
    await form.getByLabel('Held in', { exact: true }).selectOption({ label: 'Team research' });
    await form.getByLabel('Project of their personal key').selectOption({ label: 'research app' });
    await form.getByRole('button', { name: 'Create invitation' }).click();
    const link = (await page.getByTestId('invitation-link').textContent())!;
    expect(link).toMatch(new RegExp(`^${url}/console/invite#token=pmx-inv-[A-Za-z0-9_-]{43}$`));
    const pendingRow = page.locator('tr', { has: page.getByRole('rowheader', { name: new RegExp(invitee) }) });
    await pendingRow.waitFor();
    expect(await pendingRow.textContent()).toContain('Developer in research');
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'organisation.png');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByTestId('invitation-link').count()).toBe(0);

    // Another invitation, revoked after a confirmation.
    const other = 'other@example.com';
    await gateway.admin('POST', `/orgs/${gateway.orgId}/invitations`, {
      email: other,
      roles: [{ role: 'viewer' }],
      projectId: gateway.projectId,
    });
    await page.reload();
    await page.getByRole('button', { name: `Revoke the invitation of ${other}` }).click();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke invitation' }).click();
    await page.getByRole('button', { name: `Revoke the invitation of ${other}` }).waitFor({ state: 'detached' });

    // The invitee, in a browser of their own: the link accepts and signs them in.
    const invited = await newContext(browser);
    const welcome = await invited.newPage();
    await welcome.goto(link);
    await welcome.getByRole('button', { name: 'Accept and sign in' }).waitFor();
    expect(welcome.url()).toBe(`${url}/console/invite`);
    expect(await accessibilityProblems(welcome)).toEqual([]);
    await welcome.getByRole('button', { name: 'Accept and sign in' }).click();
    const personalKey = (await welcome.getByTestId('secret').textContent())!;
    expect(personalKey).toMatch(/^pmx-/);
    expect(await welcome.getByTestId('accepted-as').textContent()).toContain('Developer in research');
    expect(await accessibilityProblems(welcome)).toEqual([]);
    await screenshot(welcome, 'invitation-accepted.png');
    await welcome.getByRole('button', { name: 'Continue to the console' }).click();
    await welcome.getByRole('heading', { name: 'Get started', level: 1 }).waitFor();
    expect(await welcome.getByTestId('principal').textContent()).toBe('Dana Developer · developer');
    const nav = welcome.getByRole('navigation', { name: 'Console' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Get started',
      'API keys',
      'Models',
      'Routing',
      'Organisation',
    ]);

    // What a developer sees: their own personal key, which they may add to; their team's project, read-only.
    await nav.getByRole('link', { name: 'API keys' }).click();
    await welcome.getByRole('rowheader', { name: /Personal key \(invitation\)/ }).waitFor();
    expect(await welcome.getByRole('button', { name: 'Create key' }).count()).toBe(1);
    await nav.getByRole('link', { name: 'Organisation' }).click();
    await welcome.getByRole('rowheader', { name: 'research app' }).waitFor();
    expect(await welcome.getByRole('rowheader', { name: 'app', exact: true }).count()).toBe(0);
    expect(await welcome.getByRole('heading', { name: 'Members' }).count()).toBe(0);
    expect(await welcome.getByRole('heading', { name: 'Invitations' }).count()).toBe(0);
    expect(await welcome.getByRole('checkbox').count()).toBe(0);
    expect(await welcome.getByLabel('New project name').count()).toBe(0);
    expect(await accessibilityProblems(welcome)).toEqual([]);

    // The link works once; the personal key signs them in again.
    const again = await fetch(`${url}/admin/v1/invitations/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: decodeURIComponent(link.split('#token=')[1]!) }),
    });
    expect(again.status).toBe(401);
    await invited.close();
    const later = await newContext(browser);
    const signedIn = await signIn(later, url, personalKey);
    expect(await signedIn.getByTestId('principal').textContent()).toBe('Dana Developer · developer');
    await later.close();

    // The operator sees the invitation accepted, and the new member with their role.
    await page.reload();
    await page.getByRole('combobox', { name: /^Show/ }).selectOption({ label: 'Accepted' });
    await page
      .getByRole('region', { name: 'Invitation table' })
      .getByRole('rowheader', { name: new RegExp(invitee) })
      .waitFor();
    const member = page
      .getByRole('region', { name: 'Member table' })
      .locator('tr', { has: page.getByRole('rowheader', { name: /Dana Developer/ }) });
    expect(await member.textContent()).toContain('Developer in research');
    await operator.close();

    // Each step in the audit trail, by whom.
    const [accepted] = await audited('invitation.accept');
    const users = await gateway.admin<{ data: Array<{ id: string; email: string }> }>(
      'GET',
      `/orgs/${gateway.orgId}/users`,
    );
    const dana = users.data.find((user) => user.email === invitee)!;
    expect(accepted).toMatchObject({ actorUserId: dana.id, projectId: project.id });
    expect((await audited('invitation.create')).length).toBeGreaterThanOrEqual(2);
    expect((await audited('invitation.revoke'))[0]).toMatchObject({ actorUserId: null });
    expect(JSON.stringify(await audited('invitation.create'))).not.toContain(invitee);
  });
});
