export type { CatalogEntry, HeaderValue, ResolvedModel, SettingValue, UpstreamEndpoint } from './catalog';
export { Catalog } from './catalog';
export type { CatalogLayer, MergedCatalog } from './catalog.layers';
export { CatalogLayerSchema, EMPTY_CATALOG, mergeCatalogLayers } from './catalog.layers';
export { loadCatalog } from './catalog.loader';
export { CatalogModule } from './catalog.module';
export type { CatalogDeployment, CatalogFile, CatalogModel, CatalogPrices } from './catalog.schema';
export { CatalogFileSchema } from './catalog.schema';
