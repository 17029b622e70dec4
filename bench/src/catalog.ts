import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse, stringify } from 'yaml';

/** The shipped catalog, relative to the working directory like `POLYMUX_CATALOG_FILE`'s default. */
const SHIPPED_CATALOG = 'config/catalog.yaml';
const SIM_BASE = '${PROVIDER_SIM_URL}/v1';

interface CatalogText {
  models: Array<Record<string, unknown> & { id: string; deployments: Array<Record<string, unknown>> }>;
}

/**
 * Writes the catalog the benchmark starts Polymux with into `dir`: the shipped catalog with every
 * simulator deployment under the `/scenario/<scenario>` prefix, so Polymux, Portkey and the direct
 * calls get the same answer; with `models` above the shipped count, generated models are appended
 * (copies of `model`'s entry under other names, each with its own deployment id). Returns its path.
 */
export const writeBenchCatalog = (
  dir: string,
  scenario: string,
  options: { models?: number; model?: string } = {},
): { file: string; models: number } => {
  const shipped = readFileSync(resolve(SHIPPED_CATALOG), 'utf8');
  if (!shipped.includes(SIM_BASE)) throw new Error(`${SHIPPED_CATALOG} has no ${SIM_BASE} deployment to rewrite`);
  let text = shipped.split(SIM_BASE).join(`\${PROVIDER_SIM_URL}/scenario/${scenario}/v1`);
  const catalog = parse(text) as CatalogText;
  const wanted = options.models ?? catalog.models.length;
  if (wanted > catalog.models.length) {
    const template = catalog.models.find((model) => model.id === (options.model ?? 'gpt-4.1-mini'));
    if (!template) throw new Error(`${SHIPPED_CATALOG} has no model ${options.model} to copy`);
    const generated = Array.from({ length: wanted - catalog.models.length }, (_, index) => {
      const id = `bench-model-${String(index + 1).padStart(5, '0')}`;
      return {
        ...template,
        id,
        aliases: [],
        deployments: template.deployments.map((deployment) => ({
          ...deployment,
          id: `bench/${id}`,
          upstreamModel: id,
        })),
      };
    });
    // Copies share objects; written as YAML aliases they would trip the parser's alias limit.
    text = stringify(
      { ...catalog, models: [...catalog.models, ...generated] },
      { lineWidth: 0, aliasDuplicateObjects: false },
    );
  }
  const file = join(dir, `catalog-${wanted}.yaml`);
  writeFileSync(file, text);
  return { file, models: Math.max(wanted, catalog.models.length) };
};
