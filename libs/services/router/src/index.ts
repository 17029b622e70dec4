export { Catalog } from './catalog/catalog';
export { loadCatalog } from './catalog/catalog.loader';
export { RouterModule } from './router.module';
