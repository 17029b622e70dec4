// Refreshes the model catalog's sources and regenerates config/catalog.generated.json (after `npm run build`):
//   node scripts/refresh-catalog.js [--models-dev <models.dev checkout or git dir>]
// See docs/providers.md, "Catalog".
require('../dist/libs/catalog/src/refresh/refresh-catalog.js');
