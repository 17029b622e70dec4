import { parse } from 'smol-toml';

/** One model as models.dev describes it (the fields the catalog uses; the copy keeps the rest too). */
export interface ModelsDevModel {
  name?: string;
  /** `<creator>/<id>` of the provider-agnostic model it serves, when models.dev names one. */
  baseModel?: string;
  release_date?: string;
  status?: string;
  attachment?: boolean;
  reasoning?: boolean;
  tool_call?: boolean;
  structured_output?: boolean;
  cost?: { input?: number; output?: number; cache_read?: number; cache_write?: number; reasoning?: number };
  limit?: { context?: number; output?: number };
  modalities?: { input?: string[]; output?: string[] };
  [field: string]: unknown;
}

/** The dated copy of models.dev the catalog is generated from: the providers it uses, `base_model` resolved. */
export interface ModelsDevSnapshot {
  source: { repository: string; commit: string; date: string; license: 'MIT' };
  /** Files of the copied providers that did not read (a broken link upstream), and why. */
  skipped: string[];
  providers: Record<string, { name: string; models: Record<string, ModelsDevModel> }>;
}

/** What the snapshot needs of a models.dev checkout: file listing and reading (a git tree or a fixture). */
export interface ModelsDevTree {
  /** Every file path under `dir`, recursively. */
  list(dir: string): string[];
  read(path: string): string;
}

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** models.dev's merge of a provider model onto its base: tables deep-merged, arrays and values replaced. */
const deepMerge = (base: Table, child: Table): Table => {
  const merged: Table = { ...base };
  for (const [key, value] of Object.entries(child)) {
    const below = merged[key];
    merged[key] = isTable(below) && isTable(value) ? deepMerge(below, value) : value;
  }
  return merged;
};

/** Deletes a dot-path (`base_model_omit`), pruning tables left empty. */
const omit = (table: Table, path: string[]): void => {
  const [head, ...rest] = path;
  if (head === undefined || !(head in table)) return;
  if (rest.length === 0) {
    delete table[head];
    return;
  }
  const child = table[head];
  if (!isTable(child)) return;
  omit(child, rest);
  if (Object.keys(child).length === 0) delete table[head];
};

/** Benchmark scores are long and unused by the catalog; the copy leaves them out. */
const DROPPED = ['benchmarks', 'base_model', 'base_model_omit'];

const resolveModel = (tree: ModelsDevTree, path: string): ModelsDevModel => {
  const own = parse(tree.read(path)) as Table;
  const baseModel = typeof own['base_model'] === 'string' ? own['base_model'] : undefined;
  const merged = baseModel ? deepMerge(parse(tree.read(`models/${baseModel}.toml`)) as Table, own) : own;
  const omitted = Array.isArray(own['base_model_omit']) ? (own['base_model_omit'] as string[]) : [];
  for (const dotted of omitted) omit(merged, dotted.split('.'));
  for (const field of DROPPED) delete merged[field];
  return { ...merged, ...(baseModel ? { baseModel } : {}) } as ModelsDevModel;
};

/** Reads the named providers out of a models.dev tree, each model under its id (its path, minus `.toml`). */
export const readModelsDev = (
  tree: ModelsDevTree,
  providerIds: readonly string[],
  source: ModelsDevSnapshot['source'],
): ModelsDevSnapshot => {
  const providers: ModelsDevSnapshot['providers'] = {};
  const skipped: string[] = [];
  for (const id of providerIds) {
    const meta = parse(tree.read(`providers/${id}/provider.toml`)) as Table;
    const prefix = `providers/${id}/models/`;
    const models: Record<string, ModelsDevModel> = {};
    const paths = tree
      .list(prefix)
      .filter((file) => file.endsWith('.toml'))
      .sort();
    for (const path of paths) {
      try {
        models[path.slice(prefix.length, -'.toml'.length)] = resolveModel(tree, path);
      } catch (error) {
        // models.dev itself has the odd broken file (a link to a model that is gone): left out, named.
        skipped.push(`${path}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    providers[id] = { name: typeof meta['name'] === 'string' ? meta['name'] : id, models };
  }
  return { source, skipped, providers };
};
