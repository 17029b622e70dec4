import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { Me } from '../../api/types';
import type { Recorded } from '../../test/fake-api';
import { DEVELOPER, OPERATOR, PROJECTS, baseRoutes, fakeApi } from '../../test/fake-api';
import { renderConsole } from '../../test/render';

const TEAMS = '/admin/v1/orgs/org-1/teams';
const USERS = '/admin/v1/orgs/org-1/users';
const INVITATIONS = '/admin/v1/orgs/org-1/invitations';
const page = (data: unknown[], nextCursor: string | null = null) => ({ data, nextCursor });
const held = (permissions: string[], teamId: string | null = null) =>
  permissions.map((permission) => ({ permission, teamId, ownOnly: false }));

const TEAM = { id: 'team-1', name: 'core', org_id: 'org-1', created_at: '2026-01-01T00:00:00.000Z' };
const TEAM_PROJECT = {
  id: 'proj-3',
  name: 'core app',
  org_id: 'org-1',
  team_id: 'team-1',
  data_retention: true,
  created_at: '2026-01-01T00:00:00.000Z',
};
const MEMBERS = [
  {
    id: 'user-o',
    orgId: 'org-1',
    email: 'olga@example.com',
    name: 'Olga',
    roles: [{ role: 'owner', teamId: null }],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
  {
    id: 'user-d',
    orgId: 'org-1',
    email: 'dev@example.com',
    name: null,
    roles: [{ role: 'developer', teamId: 'team-1' }],
    createdAt: '2026-01-02T00:00:00.000Z',
  },
];
const invitationOf = (id: string, overrides: Record<string, unknown> = {}) => ({
  object: 'invitation',
  id,
  orgId: 'org-1',
  email: `${id}@example.com`,
  name: null,
  roles: [{ role: 'developer', teamId: null }],
  projectId: 'proj-1',
  status: 'pending',
  expiresAt: '2026-01-09T00:00:00.000Z',
  invitedByUserId: null,
  acceptedAt: null,
  userId: null,
  revokedAt: null,
  createdAt: '2026-01-02T00:00:00.000Z',
  ...overrides,
});

const ADMIN: Me = {
  operator: false,
  keyId: 'key-a',
  user: { id: 'user-a', email: 'admin@example.com', name: 'Ada' },
  org: { id: 'org-1', name: 'Acme' },
  roles: [{ role: 'admin', teamId: null, team: null }],
  permissions: held([
    'org.read',
    'team.read',
    'team.write',
    'member.read',
    'member.write',
    'project.read',
    'project.write',
  ]),
};
const TEAM_ADMIN: Me = {
  ...ADMIN,
  user: { id: 'user-t', email: 'team@example.com', name: 'Tess' },
  roles: [{ role: 'team_admin', teamId: 'team-1', team: 'core' }],
  permissions: held(['org.read', 'team.read', 'member.read', 'project.read', 'project.write'], 'team-1'),
};

const routes = (me: Me, extra: Record<string, (request: Recorded) => unknown> = {}) => ({
  ...baseRoutes(me),
  'GET /admin/v1/orgs/org-1/projects': () => page([...PROJECTS.data, TEAM_PROJECT]),
  [`GET ${TEAMS}`]: () => page([TEAM]),
  [`GET ${USERS}`]: () => page(MEMBERS),
  [`GET ${INVITATIONS}`]: () => page([invitationOf('ivy')]),
  ...extra,
});

describe('Organisation', () => {
  it('shows teams, projects with their data retention, members with their roles, and pending invitations', async () => {
    const requests = fakeApi(routes(ADMIN));
    renderConsole('/organisation');
    expect(await screen.findByRole('heading', { name: 'Organisation: Acme', level: 1 })).toBeInTheDocument();
    const teams = await screen.findByRole('region', { name: 'Team table' });
    expect(within(teams).getByRole('rowheader', { name: 'core' }).closest('tr')).toHaveTextContent('1');
    const projects = screen.getByRole('region', { name: 'Project table' });
    expect(within(projects).getByRole('rowheader', { name: 'core app' }).closest('tr')).toHaveTextContent('core');
    expect(within(projects).getByLabelText('Providers may retain the data of core app')).toBeChecked();
    expect(within(projects).getByLabelText('Providers may retain the data of app')).not.toBeChecked();
    const members = await screen.findByRole('region', { name: 'Member table' });
    expect(within(members).getByRole('rowheader', { name: /Olga/ }).closest('tr')).toHaveTextContent('Owner');
    expect(
      within(members)
        .getByRole('rowheader', { name: /dev@example.com/ })
        .closest('tr'),
    ).toHaveTextContent('Developer in core');
    const invitations = await screen.findByRole('region', { name: 'Invitation table' });
    expect(
      within(invitations)
        .getByRole('rowheader', { name: /ivy@example.com/ })
        .closest('tr'),
    ).toHaveTextContent('pending');
    expect(requests.find((request) => request.path === INVITATIONS)!.search).toBe('?limit=20&status=pending');
    expect(requests.find((request) => request.path === USERS)!.search).toBe('?limit=20');
  });

  it('invites someone and shows the link once, with the token in its fragment', async () => {
    const requests = fakeApi(
      routes(ADMIN, {
        [`POST ${INVITATIONS}`]: () => ({
          status: 201,
          body: { ...invitationOf('new', { email: 'new@example.com' }), token: 'pmx-inv-once' },
        }),
      }),
    );
    renderConsole('/organisation');
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    await userEvent.type(within(form).getByLabelText('Email'), 'new@example.com');
    // An admin may not give the owner role.
    expect(within(form).queryByRole('option', { name: 'Owner' })).toBeNull();
    await userEvent.selectOptions(within(form).getByLabelText('Held in'), 'Team core');
    // The project of the personal key is one the team role reaches.
    const project = within(form).getByLabelText('Project of their personal key');
    expect(
      within(project)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['core app']);
    await userEvent.click(within(form).getByRole('button', { name: 'Create invitation' }));
    expect(await screen.findByTestId('invitation-link')).toHaveTextContent(
      `${window.location.origin}/console/invite#token=pmx-inv-once`,
    );
    expect(requests.find((request) => request.method === 'POST')!.body).toEqual({
      email: 'new@example.com',
      roles: [{ role: 'developer', teamId: 'team-1' }],
      projectId: 'proj-3',
    });
    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('invitation-link')).toBeNull();
  });

  it('offers the owner role to the operator', async () => {
    fakeApi(routes(OPERATOR));
    renderConsole('/organisation?org=org-1');
    const form = await screen.findByRole('form', { name: 'Invite someone' });
    expect(within(form).getByRole('option', { name: 'Owner' })).toBeInTheDocument();
  });

  it('revokes a pending invitation once confirmed', async () => {
    let revoked = false;
    const requests = fakeApi(
      routes(ADMIN, {
        [`GET ${INVITATIONS}`]: () => page(revoked ? [] : [invitationOf('ivy')]),
        'DELETE /admin/v1/invitations/ivy': () => ((revoked = true), invitationOf('ivy', { status: 'revoked' })),
      }),
    );
    renderConsole('/organisation');
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke the invitation of ivy@example.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke the invitation of ivy@example.com?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke invitation' }));
    expect(await screen.findByText('No pending invitation')).toBeInTheDocument();
    expect(requests.filter((request) => request.method === 'DELETE')).toHaveLength(1);
  });

  it("changes a member's roles, and offers no change of an owner's to an admin", async () => {
    const requests = fakeApi(
      routes(ADMIN, { 'PUT /admin/v1/users/user-d/roles': ({ body }) => ({ ...MEMBERS[1], ...(body as object) }) }),
    );
    renderConsole('/organisation');
    const members = await screen.findByRole('region', { name: 'Member table' });
    expect(within(members).queryByRole('button', { name: 'Change the roles of Olga' })).toBeNull();
    expect(within(members).getByText('Only an owner changes an owner')).toBeInTheDocument();
    await userEvent.click(within(members).getByRole('button', { name: 'Change the roles of dev@example.com' }));
    const dialog = screen.getByRole('dialog', { name: 'Roles of dev@example.com' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add a role' }));
    await userEvent.selectOptions(within(dialog).getByLabelText('Role 2'), 'Viewer');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save roles' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests.find((request) => request.method === 'PUT')!.body).toEqual({
      roles: [
        { role: 'developer', teamId: 'team-1' },
        { role: 'viewer', teamId: null },
      ],
    });
  });

  it('creates a team and a project, and switches data retention', async () => {
    const requests = fakeApi(
      routes(ADMIN, {
        [`POST ${TEAMS}`]: () => ({ status: 201, body: { ...TEAM, id: 'team-2', name: 'ml' } }),
        'POST /admin/v1/orgs/org-1/projects': () => ({ status: 201, body: { ...TEAM_PROJECT, id: 'proj-9' } }),
        'PATCH /admin/v1/projects/proj-1': () => ({ ...PROJECTS.data[0], data_retention: true }),
      }),
    );
    renderConsole('/organisation');
    await userEvent.type(await screen.findByLabelText('New team name'), 'ml');
    await userEvent.click(screen.getByRole('button', { name: 'Create team' }));
    await userEvent.type(screen.getByLabelText('New project name'), 'search');
    await userEvent.selectOptions(screen.getByLabelText('Team'), 'core');
    await userEvent.click(screen.getByLabelText('Providers may retain its data'));
    await userEvent.click(screen.getByRole('button', { name: 'Create project' }));
    await userEvent.click(screen.getByLabelText('Providers may retain the data of app'));
    await waitFor(() => expect(requests.filter((request) => request.method !== 'GET')).toHaveLength(3));
    const [team, project, retention] = requests.filter((request) => request.method !== 'GET');
    expect(team!.body).toEqual({ name: 'ml' });
    expect(project!.body).toEqual({ name: 'search', teamId: 'team-1', dataRetention: true });
    expect(retention!.body).toEqual({ dataRetention: true });
  });

  it('lets a team admin create projects in their team only, and offers them no invitation or role change', async () => {
    fakeApi(
      routes(TEAM_ADMIN, {
        'GET /admin/v1/orgs/org-1/projects': () => page([TEAM_PROJECT]),
        [`GET ${USERS}`]: () => page([MEMBERS[1]]),
      }),
    );
    renderConsole('/organisation');
    await screen.findByRole('region', { name: 'Member table' });
    const team = await screen.findByLabelText('Team');
    expect(screen.queryByLabelText('New team name')).toBeNull();
    expect(
      within(team)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['core']);
    expect(screen.getByLabelText('Providers may retain the data of core app')).toBeEnabled();
    expect(screen.queryByRole('form', { name: 'Invite someone' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Change the roles|Revoke/ })).toBeNull();
  });

  it('shows a developer the teams and projects only, read-only', async () => {
    fakeApi(routes({ ...DEVELOPER, permissions: [...DEVELOPER.permissions, ...held(['org.read', 'team.read'])] }));
    renderConsole('/organisation');
    await screen.findByRole('rowheader', { name: 'core app' });
    expect(screen.queryByRole('heading', { name: 'Members' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Invitations' })).toBeNull();
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.getByRole('region', { name: 'Project table' })).toHaveTextContent('Allowed');
  });

  it('says what to do when the members cannot be read', async () => {
    fakeApi(
      routes(ADMIN, {
        [`GET ${USERS}`]: () => ({
          status: 403,
          body: {
            error: {
              message: 'your roles do not allow member.read',
              type: 'permission_error',
              param: null,
              code: null,
            },
          },
        }),
      }),
    );
    renderConsole('/organisation');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the members: your roles do not allow member.read');
    expect(alert).toHaveTextContent('ask an owner or admin');
  });

  it('shows the empty states', async () => {
    fakeApi(
      routes(ADMIN, {
        [`GET ${TEAMS}`]: () => page([]),
        'GET /admin/v1/orgs/org-1/projects': () => page([]),
        [`GET ${INVITATIONS}`]: () => page([]),
      }),
    );
    renderConsole('/organisation');
    expect(await screen.findByText('No team yet')).toBeInTheDocument();
    expect(screen.getByText('No project in this organisation yet')).toBeInTheDocument();
    expect(await screen.findByText('No pending invitation')).toBeInTheDocument();
    expect(screen.getByText('These roles reach no project: give a role in a team that has one.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create invitation' })).toBeDisabled();
  });
});
