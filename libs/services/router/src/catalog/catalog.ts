import type { Deployment, TaskType } from '@polymux/contracts';
import { usdToNano } from '@polymux/contracts';

import type { CatalogFile, CatalogModel } from './catalog.schema';

export interface ResolvedModel {
  model: CatalogModel;
  resolvedFrom: 'model' | 'alias';
}

/** The model catalog in memory: lookups by id or alias, auto lists by task, deployments priced in nano-USD. */
export class Catalog {
  private readonly byName = new Map<string, ResolvedModel>();

  constructor(private readonly file: CatalogFile) {
    for (const model of file.models) {
      this.byName.set(model.id, { model, resolvedFrom: 'model' });
      for (const alias of model.aliases) this.byName.set(alias, { model, resolvedFrom: 'alias' });
    }
    for (const [alias, target] of Object.entries(file.aliases)) {
      const resolved = this.byName.get(target);
      if (!resolved) throw new Error(`catalog alias ${alias} points at unknown model ${target}`);
      this.byName.set(alias, { model: resolved.model, resolvedFrom: 'alias' });
    }
    for (const name of [...file.auto.default, ...Object.values(file.auto.tasks).flat()]) {
      if (!this.byName.has(name)) throw new Error(`catalog auto list names unknown model ${name}`);
    }
  }

  resolve(name: string): ResolvedModel | undefined {
    return this.byName.get(name);
  }

  /** Models `auto` may choose for a task, best first. */
  autoModels(task: TaskType): CatalogModel[] {
    const names = this.file.auto.tasks[task] ?? this.file.auto.default;
    return names.map((name) => this.byName.get(name)!.model);
  }

  listNames(): Array<{ id: string; ownedBy: string; aliasOf: string | null }> {
    return [...this.byName.entries()].map(([id, { model }]) => ({
      id,
      ownedBy: model.deployments[0].provider,
      aliasOf: id === model.id ? null : model.id,
    }));
  }

  static deployments(model: CatalogModel): Deployment[] {
    return model.deployments.map((deployment) => ({
      id: deployment.id,
      provider: deployment.provider,
      model: model.id,
      upstreamModel: deployment.upstreamModel,
      baseUrl: deployment.baseUrl,
      credentialRef: deployment.credentialRef,
      pricing: {
        inputPerMTok: usdToNano(deployment.pricing.input).toString(),
        outputPerMTok: usdToNano(deployment.pricing.output).toString(),
      },
      contextWindow: model.contextWindow,
      maxOutputTokens: model.maxOutputTokens,
    }));
  }
}
