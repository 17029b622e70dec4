import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useConsoleConfig } from '../../api/queries';
import type { Page, Session, SessionGroup } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { useProjectSelection } from '../../shell/project-picker';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { SessionChain } from './session-chain';

const RECENT_DAYS = 7;
const RECENT_LIMIT = 50;

/** Agent sessions: one looked up by id (or picked from the last week's), its call chain with cost, latency and traces. */
export default function SessionsPage() {
  const { me } = useAuth();
  const config = useConsoleConfig();
  const { orgId, orgs, choose } = useProjectSelection();
  const [params, setParams] = useSearchParams();
  const sessionId = params.get('session') ?? '';
  const [draft, setDraft] = useState(sessionId);
  const show = (id: string) => {
    setDraft(id);
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set('session', id);
        return next;
      },
      { replace: true },
    );
  };
  const session = useQuery({
    queryKey: ['session', orgId, sessionId],
    queryFn: () =>
      call<Session>(
        api.GET('/admin/v1/sessions/{sessionId}', {
          params: { path: { sessionId }, query: orgId ? { orgId } : {} },
        }),
      ),
    enabled: !!sessionId && !!orgId,
  });
  // The `from` is fixed per mount: a moving `from` would be a new query at each render.
  const [from] = useState(() => new Date(Date.now() - RECENT_DAYS * 86_400_000).toISOString());
  const recent = useQuery({
    queryKey: ['usage', 'sessions', orgId, from],
    queryFn: () =>
      call<Page<SessionGroup>>(
        api.GET('/admin/v1/usage', {
          params: { query: { orgId: orgId!, groupBy: 'session', from, limit: RECENT_LIMIT } },
        }),
      ),
    enabled: !!orgId,
  });
  const sessions = recent.data?.data.filter((group) => group.group.session !== null) ?? [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) show(draft.trim());
  };
  return (
    <article className="page">
      <h1>Sessions</h1>
      <p className="hint">
        Calls sent with <code>x-polymux-session-id</code> (and <code>x-polymux-parent-request-id</code> for the call
        that led to each) form a session’s chain. Only charged calls are in it; a failed call is in the audit trail.
      </p>
      <form className="picker" onSubmit={submit} aria-label="Find a session">
        {me?.operator && (
          <label>
            Organisation
            <select value={orgId ?? ''} onChange={(event) => choose('org', event.target.value)}>
              {orgs.data?.data.map((org) => (
                <option key={org.id} value={org.id}>
                  {org.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Session id
          <input value={draft} maxLength={128} onChange={(event) => setDraft(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          Show session
        </button>
      </form>
      {sessionId && session.isPending && <Loading what="the session" />}
      {session.error &&
        (session.error instanceof ApiError && session.error.status === 404 ? (
          <Empty title={`No charged call with session id ${sessionId}`}>
            <p>Check the id (it is case-sensitive), or pick one of the recent sessions below.</p>
          </Empty>
        ) : (
          <ErrorState error={session.error} what="load the session" onRetry={() => session.refetch()} />
        ))}
      {session.data && <SessionChain session={session.data} jaeger={config.data?.jaeger ?? null} />}
      <section aria-labelledby="recent-title">
        <h2 id="recent-title">Sessions of the last {RECENT_DAYS} days</h2>
        {recent.isPending && <Loading what="recent sessions" />}
        {recent.error && (
          <ErrorState error={recent.error} what="load recent sessions" onRetry={() => recent.refetch()} />
        )}
        {recent.data && sessions.length === 0 && (
          <Empty title="No session in the last week">
            <p>
              Send calls with an <code>x-polymux-session-id</code> header to see them here.
            </p>
          </Empty>
        )}
        {sessions.length > 0 && (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Recent sessions">
            <table>
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Tokens</th>
                  <th scope="col">Charged</th>
                  <th scope="col">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((group) => (
                  <tr key={group.group.session}>
                    <th scope="row">
                      <code>{group.group.session}</code>
                    </th>
                    <td>{group.calls}</td>
                    <td>
                      {group.inputTokens} in, {group.outputTokens} out
                    </td>
                    <td>${group.chargedUsd}</td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Show session ${group.group.session}`}
                        onClick={() => show(group.group.session!)}
                      >
                        Show
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {recent.data?.nextCursor && <p className="hint">Showing the first {RECENT_LIMIT}.</p>}
      </section>
    </article>
  );
}
