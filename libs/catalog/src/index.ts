export type { CatalogEntry, HeaderValue, ResolvedModel, SettingValue, UpstreamEndpoint } from './catalog';
export { Catalog } from './catalog';
export { loadCatalog } from './catalog.loader';
export { CatalogModule } from './catalog.module';
export type { CatalogDeployment, CatalogFile, CatalogModel } from './catalog.schema';
export { CatalogFileSchema } from './catalog.schema';
