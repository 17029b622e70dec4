import { readFileSync } from 'node:fs';

import { interpolateEnv } from '@polymux/config';
import { parse } from 'yaml';

import { Catalog } from './catalog';
import { CatalogFileSchema } from './catalog.schema';

/** Reads, interpolates and validates the catalog file; a bad catalog stops the service at boot. */
export const loadCatalog = (file: string, variables: Record<string, string | undefined>): Catalog => {
  const parsed = CatalogFileSchema.safeParse(parse(interpolateEnv(readFileSync(file, 'utf8'), variables)));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid model catalog ${file}:\n  ${problems.join('\n  ')}`);
  }
  return new Catalog(parsed.data);
};
