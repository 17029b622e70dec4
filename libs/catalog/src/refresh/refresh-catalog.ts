import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';

import { calcPrice } from '@pydantic/genai-prices';

import { CATALOG_PROVIDERS } from './catalog-providers';
import type { PriceLookup } from './generate-catalog';
import { generateCatalog } from './generate-catalog';
import type { SourcePrice } from './list-prices';
import { genaiPrices } from './list-prices';
import type { ModelsDevSnapshot, ModelsDevTree } from './models-dev';
import { readModelsDev } from './models-dev';

/**
 * `npm run catalog:refresh [-- --models-dev <models.dev checkout or git dir>]` (scripts/refresh-catalog.js): with a models.dev
 * checkout, replaces the dated copy under data/models-dev/; then regenerates the catalog data
 * (config/catalog.generated.json and the copy kustomize packs, deploy/k8s/) from that copy and the
 * installed @pydantic/genai-prices. Offline: it reads only local files and the package's bundled data.
 */
const root = join(__dirname, '../../../../..');
const SNAPSHOTS = join(root, 'data/models-dev');
const OUTPUTS = ['config/catalog.generated.json', 'deploy/k8s/catalog.generated.json'];

/** A git tree read with `git` (a bare mirror works as well as a checkout); symbolic links followed. */
const gitTree = (dir: string): ModelsDevTree => {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const links = new Set<string>();
  const read = (path: string): string => {
    const text = git('show', `HEAD:${path}`);
    return links.has(path) ? read(posix.normalize(posix.join(posix.dirname(path), text.trim()))) : text;
  };
  return {
    list: (path) =>
      git('ls-tree', '-r', 'HEAD', path)
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [meta, file] = line.split('\t') as [string, string];
          if (meta.startsWith('120000')) links.add(file);
          return file;
        }),
    read,
  };
};

const copyModelsDev = (dir: string): void => {
  const tree = gitTree(dir);
  const [commit, date] = execFileSync('git', ['-C', dir, 'log', '-1', '--format=%H %cs', 'HEAD'], { encoding: 'utf8' })
    .trim()
    .split(' ') as [string, string];
  const folders = [...new Set(CATALOG_PROVIDERS.flatMap((provider) => provider.modelsDev))];
  const snapshot = readModelsDev(tree, folders, {
    repository: 'https://github.com/anomalyco/models.dev',
    commit,
    date,
    license: 'MIT',
  });
  rmSync(SNAPSHOTS, { recursive: true, force: true });
  mkdirSync(join(SNAPSHOTS, date), { recursive: true });
  writeFileSync(join(SNAPSHOTS, 'LICENSE'), tree.read('LICENSE'));
  writeFileSync(join(SNAPSHOTS, date, 'models-dev.json'), `${JSON.stringify(snapshot, null, 1)}\n`);
};

const latestSnapshot = (): ModelsDevSnapshot => {
  const [latest] = readdirSync(SNAPSHOTS)
    .filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name))
    .sort()
    .reverse();
  if (!latest) throw new Error(`no models.dev copy under ${SNAPSHOTS}: run with --models-dev <checkout>`);
  return JSON.parse(readFileSync(join(SNAPSHOTS, latest, 'models-dev.json'), 'utf8')) as ModelsDevSnapshot;
};

/**
 * The standard prices of the day: those in effect at noon UTC, so that a refresh does not list a
 * provider's off-peak discount (DeepSeek's, 16:30–00:30 UTC) because it ran in the evening.
 */
const PRICED_AT = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);

/** genai-prices' bundled data only (no auto-update is set up): the price of `upstream` at this provider. */
const lookup: PriceLookup = (providerId, upstream) => {
  const found = calcPrice({ input_tokens: 0 }, upstream, { providerId, timestamp: PRICED_AT });
  return found ? genaiPrices(found.model_price as Record<string, SourcePrice>) : undefined;
};

const genaiPricesVersion = (): string =>
  (
    JSON.parse(readFileSync(join(root, 'node_modules/@pydantic/genai-prices/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

const main = (): void => {
  const at = process.argv.indexOf('--models-dev');
  if (at !== -1) copyModelsDev(process.argv[at + 1] ?? '.');
  const snapshot = latestSnapshot();
  const models = generateCatalog(snapshot, CATALOG_PROVIDERS, lookup);
  const generated = {
    by: 'npm run catalog:refresh (libs/catalog/src/refresh); do not edit, put changes in catalog.yaml',
    modelsDev: snapshot.source,
    genaiPrices: genaiPricesVersion(),
  };
  // One model a line: a refresh reads as a diff of the models it changed.
  const text = `{"generated":${JSON.stringify(generated)},\n"models":[\n${models.map((model) => JSON.stringify(model)).join(',\n')}\n]}\n`;
  for (const output of OUTPUTS) writeFileSync(join(root, output), text);
  const unpriced = models.filter((model) => model.deployments.every((deployment) => deployment.unpriced)).length;
  console.log(
    `${models.length} models (${unpriced} unpriced) from models.dev ${snapshot.source.date} → ${OUTPUTS.join(', ')}`,
  );
};

main();
