import type { ConsoleConfig, Session } from '../../api/types';
import { jaegerSearch } from './jaeger';

const ms = (value: number) => (value >= 10_000 ? `${(value / 1_000).toFixed(1)} s` : `${Math.round(value)} ms`);
const usd = (value: string) => `$${value}`;

/** A session's calls as a tree (depth first, each call's children under it), with cost, latency and trace links. */
export function SessionChain({ session, jaeger }: { session: Session; jaeger: ConsoleConfig['jaeger'] }) {
  const { totals } = session;
  return (
    <section aria-labelledby="session-title" data-testid="session">
      <h2 id="session-title">
        Session <code>{session.sessionId}</code>
      </h2>
      <dl className="facts" data-testid="session-totals">
        <dt>Calls</dt>
        <dd>{totals.calls}</dd>
        <dt>Charged</dt>
        <dd>
          {usd(totals.chargedUsd)} (list price {usd(totals.listCostUsd)})
        </dd>
        <dt>Tokens</dt>
        <dd>
          {totals.inputTokens} in, {totals.outputTokens} out
        </dd>
        <dt>Latency</dt>
        <dd>
          {ms(totals.latencyMs)} in calls, {ms(totals.wallClockMs)} from first start to last end
        </dd>
        <dt>Time</dt>
        <dd>
          {new Date(totals.startedAt).toLocaleString()} – {new Date(totals.endedAt).toLocaleString()}
        </dd>
        {jaeger && (
          <>
            <dt>Traces</dt>
            <dd>
              <a
                href={jaegerSearch(
                  jaeger,
                  { 'polymux.session_id': session.sessionId },
                  totals.startedAt,
                  totals.endedAt,
                )}
                target="_blank"
                rel="noreferrer"
              >
                The session’s traces in Jaeger
              </a>
            </dd>
          </>
        )}
      </dl>
      {session.truncated && (
        <p className="hint">Only the first {session.calls.length} calls are listed; the totals count every call.</p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Call chain">
        <table>
          <thead>
            <tr>
              <th scope="col">Call</th>
              <th scope="col">Model</th>
              <th scope="col">Task</th>
              <th scope="col">Status</th>
              <th scope="col">Tokens</th>
              <th scope="col">Charged</th>
              <th scope="col">Latency</th>
              <th scope="col">Started</th>
              {jaeger && <th scope="col">Trace</th>}
            </tr>
          </thead>
          <tbody>
            {session.calls.map((call) => (
              <tr key={call.requestId} data-request-id={call.requestId} data-depth={call.depth}>
                <th scope="row">
                  <span className="depth" aria-hidden="true">
                    {'  '.repeat(call.depth)}
                    {call.depth > 0 ? '↳ ' : ''}
                  </span>
                  <code>{call.requestId}</code>
                  {call.depth > 0 ? (
                    <div className="hint">led to by {call.parentRequestId}</div>
                  ) : (
                    call.parentRequestId && (
                      <div className="hint">parent {call.parentRequestId} is not in the session</div>
                    )
                  )}
                </th>
                <td>
                  {call.requestedModel === call.model ? call.model : `${call.requestedModel} → ${call.model}`}
                  <div className="hint">{call.deploymentId}</div>
                </td>
                <td>{call.task}</td>
                <td>{call.status}</td>
                <td>
                  {call.inputTokens} in, {call.outputTokens} out
                </td>
                <td>{usd(call.chargedUsd)}</td>
                <td>{ms(call.latencyMs)}</td>
                <td>{new Date(call.startedAt).toLocaleTimeString()}</td>
                {jaeger && (
                  <td>
                    <a
                      href={jaegerSearch(
                        jaeger,
                        { 'polymux.request_id': call.requestId },
                        call.startedAt,
                        call.endedAt,
                      )}
                      target="_blank"
                      rel="noreferrer"
                      aria-label={`Trace of ${call.requestId} in Jaeger`}
                    >
                      Trace
                    </a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
