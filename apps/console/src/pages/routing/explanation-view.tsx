import type { RoutingExplanation } from '../../api/types';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** The router's decision: the task and its signals, every candidate's score or exclusion, the choice and the fallbacks. */
export function ExplanationView({ explanation: e }: { explanation: RoutingExplanation }) {
  const kept = e.candidates.filter((candidate) => candidate.kept);
  const excluded = e.candidates.filter((candidate) => !candidate.kept);
  return (
    <div className="explanation" data-testid="explanation">
      <h3>Decision</h3>
      <dl className="facts">
        <dt>Choice</dt>
        <dd data-testid="choice">
          <strong>{e.model}</strong> on <code>{e.deploymentId}</code>
        </dd>
        <dt>Task</dt>
        <dd>
          {e.task} (confidence {e.confidence.toFixed(2)})
        </dd>
        <dt>Complexity</dt>
        <dd>{e.complexity}</dd>
        {e.language && (
          <>
            <dt>Language</dt>
            <dd>{e.language}</dd>
          </>
        )}
        <dt>Resolved from</dt>
        <dd>{e.resolvedFrom === 'auto' ? 'auto' : e.resolvedFrom === 'alias' ? 'an alias' : 'a model name'}</dd>
        <dt>Strategy</dt>
        <dd>{e.strategy}</dd>
        {e.tier && (
          <>
            <dt>Least tier</dt>
            <dd>{e.tier}</dd>
          </>
        )}
        {e.budgetPressure && (
          <>
            <dt>Budget pressure</dt>
            <dd>
              {e.budgetPressure.scope} budget {e.budgetPressure.usedPercent}% spent (from {e.budgetPressure.atPercent}%)
            </dd>
          </>
        )}
        {e.secondOpinion && (
          <>
            <dt>Second opinion</dt>
            <dd>
              {e.secondOpinion.model}: {e.secondOpinion.outcome} (a call would ask it)
            </dd>
          </>
        )}
      </dl>
      <h3>Fallbacks</h3>
      {e.fallbacks.length === 0 ? (
        <p>None: the choice is the only deployment that would be tried.</p>
      ) : (
        <ol data-testid="fallbacks">
          {e.fallbacks.map((fallback) => (
            <li key={fallback.deploymentId}>
              {fallback.model} on <code>{fallback.deploymentId}</code>
            </li>
          ))}
        </ol>
      )}
      <h3>Signals</h3>
      <dl className="facts">
        <dt>Input tokens</dt>
        <dd>
          {e.inputTokens ?? e.signals.estimatedInputTokens} ({e.inputTokens === undefined ? 'estimated' : 'counted'}; at
          most {e.signals.inputTokensUpperBound})
        </dd>
        <dt>Messages</dt>
        <dd>{e.signals.messageCount}</dd>
        <dt>Tools</dt>
        <dd>{yesNo(e.signals.hasTools)}</dd>
        <dt>Images</dt>
        <dd>{yesNo(e.signals.hasImages)}</dd>
        <dt>response_format</dt>
        <dd>{yesNo(e.signals.hasResponseFormat)}</dd>
        <dt>Code fence</dt>
        <dd>{yesNo(e.signals.hasCodeFence)}</dd>
      </dl>
      <h3>Candidates</h3>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Candidates">
        <table>
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Model</th>
              <th scope="col">Provider</th>
              <th scope="col">Outcome</th>
              <th scope="col">Score</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {[...kept, ...excluded].map((candidate, index) => (
              <tr key={candidate.deploymentId} data-kept={candidate.kept}>
                <th scope="row">
                  <code>{candidate.deploymentId}</code>
                </th>
                <td>{candidate.model}</td>
                <td>{candidate.provider}</td>
                <td>{candidate.kept ? (index === 0 ? 'Chosen' : `Kept, ${index + 1}.`) : 'Excluded'}</td>
                <td>{candidate.score === undefined ? '—' : candidate.score.toFixed(3)}</td>
                <td>{candidate.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
