import type { CatalogDeployment, CatalogModel, DeploymentHealth, PriceLevel } from '../../api/types';
import { count, percent } from '../../ui/format';
import { CAPABILITIES } from './models-filter';

const KINDS: Array<[keyof Omit<PriceLevel, 'perRequest'>, string]> = [
  ['input', 'Input'],
  ['cachedInput', 'Cached input'],
  ['cacheWrite', 'Cache write'],
  ['output', 'Output'],
  ['reasoning', 'Reasoning'],
  ['imageInput', 'Image input'],
];

const ms = (value: number | null) => (value === null ? '—' : `${Math.round(value)} ms`);

export const breakerText = (health: DeploymentHealth | null): string => {
  if (!health) return 'No calls yet';
  const state = { closed: 'Closed', open: 'Open', 'half-open': 'Half-open' }[health.breaker];
  return health.cooling ? `${state}, cooling down` : state;
};

function Prices({ deployment }: { deployment: CatalogDeployment }) {
  const pricing = deployment.pricing;
  if (!pricing) return <p>Unpriced: never routed to until it has prices.</p>;
  const levels = [
    { label: 'Base', level: pricing },
    ...pricing.tiers.map((tier) => ({ label: `Input above ${count(tier.aboveInputTokens)} tokens`, level: tier })),
  ];
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`Prices of ${deployment.id}`}>
      <table>
        <thead>
          <tr>
            <th scope="col">Prices (USD per 1M tokens)</th>
            {KINDS.map(([, label]) => (
              <th scope="col" key={label}>
                {label}
              </th>
            ))}
            <th scope="col">Per request</th>
          </tr>
        </thead>
        <tbody>
          {levels.map(({ label, level }) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {KINDS.map(([kind]) => (
                <td key={kind} data-price={kind} title={`${level[kind].nanoUsdPerMTok} nano-USD per 1M tokens`}>
                  ${level[kind].usdPerMTok}
                </td>
              ))}
              <td>${level.perRequest.usd}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One model: what it can do, and each deployment's prices (as charged) and health. */
export function ModelDetail({ model, onClose }: { model: CatalogModel; onClose: () => void }) {
  const capabilities = Object.entries(CAPABILITIES).filter(
    ([name]) => model.capabilities[name as keyof typeof CAPABILITIES],
  );
  return (
    <section className="card model-detail" aria-labelledby="model-title">
      <div className="toolbar">
        <h2 id="model-title">{model.id}</h2>
        <button type="button" onClick={onClose}>
          Back to all models
        </button>
      </div>
      <dl className="figures">
        <div>
          <dt>Served by</dt>
          <dd>{model.ownedBy}</dd>
        </div>
        <div>
          <dt>Quality tier</dt>
          <dd>{model.qualityTier}</dd>
        </div>
        <div>
          <dt>Context window</dt>
          <dd>{count(model.contextWindow)} tokens</dd>
        </div>
        <div>
          <dt>Max output</dt>
          <dd>{count(model.maxOutputTokens)} tokens</dd>
        </div>
        <div>
          <dt>Chosen by auto</dt>
          <dd>{model.auto ? 'Yes' : 'No'}</dd>
        </div>
      </dl>
      <p>
        Aliases: {model.aliases.length > 0 ? model.aliases.join(', ') : 'none'}. Capabilities:{' '}
        {capabilities.map(([, label]) => label).join(', ') || 'none'}.
      </p>
      <p className="hint">
        The prices below are what a call is charged (before a plan’s discount): tokens of each kind at their price,
        rounded up to a whole nano-USD per call.
      </p>
      {model.deployments.map((deployment) => (
        <section key={deployment.id} className="deployment" aria-label={`Deployment ${deployment.id}`}>
          <h3>
            {deployment.id}{' '}
            <span className="hint">
              ({deployment.provider}
              {deployment.region ? `, ${deployment.region}` : ''}
              {deployment.admin ? ', added through the admin API' : ''})
            </span>
          </h3>
          <Prices deployment={deployment} />
          <dl className="figures">
            <div>
              <dt>Breaker</dt>
              <dd>{breakerText(deployment.health)}</dd>
            </div>
            <div>
              <dt>Latency (moving average)</dt>
              <dd>{ms(deployment.health?.latencyMs ?? null)}</dd>
            </div>
            <div>
              <dt>Time to first token</dt>
              <dd>{ms(deployment.health?.ttftMs ?? null)}</dd>
            </div>
            <div>
              <dt>Error rate</dt>
              <dd>{deployment.health ? percent(deployment.health.errorRate) : '—'}</dd>
            </div>
            <div>
              <dt>Outcomes measured</dt>
              <dd>{count(deployment.health?.samples ?? 0)}</dd>
            </div>
            {deployment.health?.availableAt && (
              <div>
                <dt>Available again</dt>
                <dd>{new Date(deployment.health.availableAt).toLocaleString()}</dd>
              </div>
            )}
          </dl>
        </section>
      ))}
    </section>
  );
}
