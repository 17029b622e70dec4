import type { CatalogLayer, CatalogLayerEntries } from '@polymux/contracts';

import type { Catalog } from './catalog';
import { mergeLayer } from './catalog.layer';

/**
 * The catalog a replica serves: the file's, with the admin layer of the newest revision it has
 * seen merged on top. A reload builds the whole new catalog aside and swaps it in one assignment,
 * so a plan or invoke that took `current` keeps one consistent catalog to its end.
 */
export class CatalogSource {
  private catalog: Catalog;
  private applied = -1;

  constructor(private readonly base: Catalog) {
    this.catalog = base;
  }

  get current(): Catalog {
    return this.catalog;
  }

  /** The layer revision `current` includes; -1 before any layer. */
  get revision(): number {
    return this.applied;
  }

  /** What a proposed layer gets wrong over the catalog file; empty when every entry merges. */
  check(entries: CatalogLayerEntries): string[] {
    return mergeLayer(this.base.file, entries).problems;
  }

  /**
   * Merges a layer newer than the one applied and swaps the result in; returns the problems of the
   * entries it left out, or null for a layer not newer than the current one (answers may cross).
   */
  apply(layer: CatalogLayer): string[] | null {
    if (layer.revision <= this.applied) return null;
    const { catalog, problems } = mergeLayer(this.base.file, layer);
    this.catalog = catalog;
    this.applied = layer.revision;
    return problems;
  }
}
