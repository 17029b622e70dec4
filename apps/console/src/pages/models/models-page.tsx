import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

import { api, call } from '../../api/client';
import type { CatalogAnswer, CatalogModel } from '../../api/types';
import { count } from '../../ui/format';
import { Empty, ErrorState, Loading } from '../../ui/states';
import { ModelDetail, breakerText } from './model-detail';
import type { ModelFilters } from './models-filter';
import { CAPABILITIES, filterModels, listedPricing, unhealthy } from './models-filter';

/** The whole catalog, page after page (it is small; the page searches and filters it in the browser). */
const fetchCatalog = async (): Promise<{ models: CatalogModel[]; reference: CatalogAnswer['reference'] }> => {
  const models: CatalogModel[] = [];
  let cursor: string | undefined;
  let reference: CatalogAnswer['reference'] = null;
  do {
    const page = await call<CatalogAnswer>(
      api.GET('/admin/v1/catalog', { params: { query: { limit: 1000, ...(cursor ? { cursor } : {}) } } }),
    );
    models.push(...page.data);
    reference = page.reference;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { models, reference };
};

function healthSummary(model: CatalogModel): string {
  const down = model.deployments.filter(unhealthy);
  if (down.length > 0)
    return `${down.length} of ${model.deployments.length} degraded: ${down.map((d) => breakerText(d.health)).join(', ')}`;
  return model.deployments.some((deployment) => deployment.health) ? 'Healthy' : 'No calls yet';
}

/**
 * The catalog calls are routed and charged by: models with their context windows, capabilities and
 * the prices charged, searchable and filterable; a model's detail shows each deployment's prices
 * and health (latency, error rate, breaker).
 */
export default function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const [filters, setFilters] = useState<ModelFilters>({ search: '', tier: '', capability: '', unhealthyOnly: false });
  const catalog = useQuery({ queryKey: ['catalog'], queryFn: fetchCatalog, refetchInterval: 30_000 });
  const selected = params.get('model');
  const open = (id: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (id) next.set('model', id);
      else next.delete('model');
      return next;
    });
  const set = <K extends keyof ModelFilters>(name: K, value: ModelFilters[K]) =>
    setFilters({ ...filters, [name]: value });
  const detail = selected ? catalog.data?.models.find((model) => model.id === selected) : undefined;
  const shown = catalog.data ? filterModels(catalog.data.models, filters) : [];
  return (
    <article className="page">
      <h1>Models</h1>
      {catalog.isPending && <Loading what="the catalog" />}
      {catalog.error && <ErrorState error={catalog.error} what="load the catalog" onRetry={() => catalog.refetch()} />}
      {catalog.data && selected && !detail && (
        <Empty title={`No model ${selected} in the catalog`}>
          <button type="button" onClick={() => open(null)}>
            Back to all models
          </button>
        </Empty>
      )}
      {detail && <ModelDetail model={detail} onClose={() => open(null)} />}
      {catalog.data && !selected && (
        <>
          <form
            className="toolbar filters"
            role="search"
            aria-label="Find models"
            onSubmit={(event) => event.preventDefault()}
          >
            <label>
              Search
              <input
                type="search"
                value={filters.search}
                onChange={(event) => set('search', event.target.value)}
                placeholder="model, alias or provider"
              />
            </label>
            <label>
              Quality tier
              <select
                value={filters.tier}
                onChange={(event) => set('tier', event.target.value as ModelFilters['tier'])}
              >
                <option value="">Any tier</option>
                <option value="frontier">Frontier</option>
                <option value="standard">Standard</option>
                <option value="economy">Economy</option>
              </select>
            </label>
            <label>
              Capability
              <select
                value={filters.capability}
                onChange={(event) => set('capability', event.target.value as ModelFilters['capability'])}
              >
                <option value="">Any</option>
                {Object.entries(CAPABILITIES).map(([name, label]) => (
                  <option key={name} value={name}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={filters.unhealthyOnly}
                onChange={(event) => set('unhealthyOnly', event.target.checked)}
              />
              Degraded deployments only
            </label>
          </form>
          <p className="hint" role="status">
            {shown.length} of {catalog.data.models.length} models. Prices are what a call is charged, USD per million
            tokens.
            {catalog.data.reference && ` The saving from routing is measured against ${catalog.data.reference.model}.`}
          </p>
          {shown.length === 0 ? (
            <Empty title="No model matches">
              <p>Clear the search or a filter.</p>
            </Empty>
          ) : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Models">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Tier</th>
                    <th scope="col">Context window</th>
                    <th scope="col">Capabilities</th>
                    <th scope="col">Input</th>
                    <th scope="col">Output</th>
                    <th scope="col">Deployments</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((model) => {
                    const pricing = listedPricing(model);
                    return (
                      <tr key={model.id} data-model-id={model.id}>
                        <th scope="row">
                          <button type="button" className="link" onClick={() => open(model.id)}>
                            {model.id}
                          </button>
                          {model.aliases.length > 0 && <div className="hint">{model.aliases.join(', ')}</div>}
                        </th>
                        <td>{model.qualityTier}</td>
                        <td>{count(model.contextWindow)}</td>
                        <td>
                          {Object.entries(CAPABILITIES)
                            .filter(
                              ([name]) => name !== 'streaming' && model.capabilities[name as keyof typeof CAPABILITIES],
                            )
                            .map(([, label]) => label)
                            .join(', ') || '—'}
                        </td>
                        <td data-price="input">{pricing ? `$${pricing.input.usdPerMTok}` : 'Unpriced'}</td>
                        <td data-price="output">{pricing ? `$${pricing.output.usdPerMTok}` : 'Unpriced'}</td>
                        <td>
                          {model.deployments.length}
                          <div className="hint">{healthSummary(model)}</div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </article>
  );
}
