import type { CatalogLayerEntries } from '@polymux/contracts';
import type { z } from 'zod';

import { Catalog } from './catalog';
import type { CatalogDeployment, CatalogFile, CatalogModel } from './catalog.schema';
import { CatalogDeploymentSchema, LayerModelSchema } from './catalog.schema';

/** The file catalog with the admin layer on top (see `mergeLayer`). */
export interface AdminMerge {
  catalog: Catalog;
  /** Entries of the layer that were left out, and why. */
  problems: string[];
}

const issues = (where: string, error: z.ZodError): string[] =>
  error.issues.map((issue) => `${where}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);

/**
 * The catalog file with the admin layer on top: the layer's models are added (a model is listed
 * once it has a deployment), and each layer deployment joins its model, replacing the file's
 * deployment of the same id on that model. An entry that does not validate, names an unknown
 * model or takes another model's name or deployment id is left out and reported; the file itself
 * is never changed, so a bad layer can cost its own entries only.
 */
export const mergeLayer = (file: CatalogFile, layer: CatalogLayerEntries): AdminMerge => {
  const problems: string[] = [];
  const names = new Set(file.models.flatMap((model) => [model.id, ...model.aliases]));
  for (const alias of Object.keys(file.aliases)) names.add(alias);
  const models = new Map<string, CatalogModel>(file.models.map((model) => [model.id, { ...model }]));
  const fileDeploymentModel = new Map(
    file.models.flatMap((model) => model.deployments.map((deployment) => [deployment.id, model.id] as const)),
  );

  for (const { spec } of layer.models) {
    const where = `model ${JSON.stringify(spec.id ?? '?')}`;
    const parsed = LayerModelSchema.safeParse(spec);
    if (!parsed.success) {
      problems.push(...issues(where, parsed.error));
      continue;
    }
    const taken = [parsed.data.id, ...parsed.data.aliases].find((name) => names.has(name));
    if (taken !== undefined) {
      problems.push(`${where}: the name ${taken} is already taken`);
      continue;
    }
    for (const name of [parsed.data.id, ...parsed.data.aliases]) names.add(name);
    models.set(parsed.data.id, { ...parsed.data, deployments: [] });
  }

  const admin = new Set<string>();
  for (const { model: modelId, spec } of layer.deployments) {
    const where = `deployment ${JSON.stringify(spec.id ?? '?')}`;
    const parsed = CatalogDeploymentSchema.safeParse(spec);
    if (!parsed.success) {
      problems.push(...issues(where, parsed.error));
      continue;
    }
    const deployment: CatalogDeployment = parsed.data;
    const model = models.get(modelId);
    const owner = fileDeploymentModel.get(deployment.id);
    if (!model) problems.push(`${where}: unknown model ${modelId}`);
    else if (admin.has(deployment.id)) problems.push(`${where}: the id is not unique`);
    else if (owner !== undefined && owner !== modelId)
      problems.push(`${where}: the id names a deployment of model ${owner}`);
    else {
      admin.add(deployment.id);
      model.deployments = [...model.deployments.filter((other) => other.id !== deployment.id), deployment];
    }
  }

  const merged: CatalogFile = {
    ...file,
    models: [...models.values()].filter((model) => model.deployments.length > 0),
  };
  return { catalog: new Catalog(merged, admin), problems };
};
