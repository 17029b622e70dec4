import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';

import { interpolateEnv } from '@polymux/config';
import { parse } from 'yaml';

import { Catalog } from './catalog';
import type { CatalogLayer, MergedCatalog } from './catalog.layers';
import { CatalogLayerSchema, EMPTY_CATALOG, mergeCatalogLayers } from './catalog.layers';
import { CatalogFileSchema } from './catalog.schema';

/** An overrides file on generated data is two layers; a longer chain is a mistake (or a cycle). */
const MAX_LAYERS = 4;

const problemsOf = (
  error: { issues: { path: PropertyKey[]; message: string }[] },
  name: (path: PropertyKey[]) => string,
) => error.issues.map((issue) => `${issue.path.join('.')}${name(issue.path)}: ${issue.message}`);

const parseJson = (file: string, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid model catalog ${file}: ${(error as Error).message}`);
  }
};

/** One file's layer, interpolated and parsed: JSON for `.json` (the generated data, parsed fast), else YAML. */
const readLayer = (file: string, variables: Record<string, string | undefined>): CatalogLayer => {
  const text = interpolateEnv(readFileSync(file, 'utf8'), variables);
  const parsed = CatalogLayerSchema.safeParse(extname(file) === '.json' ? parseJson(file, text) : parse(text));
  if (!parsed.success)
    throw new Error(`invalid model catalog ${file}:\n  ${problemsOf(parsed.error, () => '').join('\n  ')}`);
  return parsed.data;
};

/** The file's layers, lowest first: each names the one underneath with `extends`. */
const readLayers = (file: string, variables: Record<string, string | undefined>): CatalogLayer[] => {
  const layers: CatalogLayer[] = [];
  for (let next: string | undefined = file; next !== undefined;) {
    if (layers.length === MAX_LAYERS)
      throw new Error(`model catalog ${file}: more than ${MAX_LAYERS} layers of extends`);
    const layer = readLayer(next, variables);
    layers.unshift(layer);
    next = layer.extends === undefined ? undefined : resolve(dirname(next), layer.extends);
  }
  return layers;
};

/**
 * Reads, interpolates, merges and validates the catalog file and the files it extends (the
 * overrides file on the generated data); `extraLayers` go on top (admin changes). A bad catalog
 * stops the service at boot, every problem listed.
 */
export const loadCatalog = (
  file: string,
  variables: Record<string, string | undefined>,
  extraLayers: CatalogLayer[] = [],
): Catalog => {
  const merged: MergedCatalog = [...readLayers(file, variables), ...extraLayers].reduce(
    mergeCatalogLayers,
    EMPTY_CATALOG,
  );
  const parsed = CatalogFileSchema.safeParse(merged);
  if (!parsed.success) {
    // A generated catalog has hundreds of models: name the one at fault, not only its index.
    const modelId = ([section, index]: PropertyKey[]) =>
      section === 'models' && typeof index === 'number' && merged.models[index]
        ? ` (model ${merged.models[index].id})`
        : '';
    throw new Error(`invalid model catalog ${file}:\n  ${problemsOf(parsed.error, modelId).join('\n  ')}`);
  }
  return new Catalog(parsed.data);
};
