import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import { parse, stringify } from 'yaml';

/** The shipped catalog, relative to the working directory like `POLYMUX_CATALOG_FILE`'s default. */
export const SHIPPED_CATALOG = 'config/catalog.yaml';
const SIM_BASE = '${PROVIDER_SIM_URL}/v1';

interface CatalogText {
  extends?: string;
  models?: Array<Record<string, unknown> & { id: string; deployments: Array<Record<string, unknown>> }>;
}

/**
 * Writes the catalog the benchmark starts Polymux with into `dir`: the shipped catalog (its overrides
 * file and the generated data it extends, both copied) with every simulator deployment under the
 * `/scenario/<scenario>` prefix, so Polymux, Portkey and the direct calls get the same answer; with
 * `models` above the shipped count, generated models are appended (copies of `model`'s entry under
 * other names, each with its own deployment id). Returns its path.
 */
export const writeBenchCatalog = (
  dir: string,
  scenario: string,
  options: { models?: number; model?: string } = {},
): { file: string; models: number } => {
  const underScenario = (text: string) => text.split(SIM_BASE).join(`\${PROVIDER_SIM_URL}/scenario/${scenario}/v1`);
  const shipped = readFileSync(resolve(SHIPPED_CATALOG), 'utf8');
  const overrides = parse(underScenario(shipped)) as CatalogText;
  const baseFile = overrides.extends && resolve(dirname(SHIPPED_CATALOG), overrides.extends);
  const baseText = baseFile ? readFileSync(baseFile, 'utf8') : '';
  if (!`${shipped}${baseText}`.includes(SIM_BASE))
    throw new Error(`${SHIPPED_CATALOG} has no ${SIM_BASE} deployment to rewrite`);
  const base = (baseFile ? JSON.parse(underScenario(baseText)) : { models: [] }) as CatalogText;
  if (baseFile) {
    overrides.extends = basename(baseFile);
    writeFileSync(join(dir, overrides.extends), JSON.stringify(base));
  }
  const shippedModels = [...(base.models ?? []), ...(overrides.models ?? [])];
  const count = new Set(shippedModels.map((model) => model.id)).size;
  const wanted = options.models ?? count;
  if (wanted > count) {
    const template = shippedModels.find((model) => model.id === (options.model ?? 'gpt-4.1-mini'));
    if (!template) throw new Error(`${SHIPPED_CATALOG} has no model ${options.model} to copy`);
    const generated = Array.from({ length: wanted - count }, (_, index) => {
      const id = `bench-model-${String(index + 1).padStart(5, '0')}`;
      return {
        ...template,
        id,
        aliases: [],
        deployments: template.deployments.slice(0, 1).map((deployment) => ({
          ...deployment,
          id: `bench/${id}`,
          upstreamModel: id,
        })),
      };
    });
    overrides.models = [...(overrides.models ?? []), ...generated];
  }
  const file = join(dir, `catalog-${wanted}.yaml`);
  // Copies share objects; written as YAML aliases they would trip the parser's alias limit.
  writeFileSync(file, stringify(overrides, { lineWidth: 0, aliasDuplicateObjects: false }));
  return { file, models: Math.max(wanted, count) };
};
