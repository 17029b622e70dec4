// `npm run console:api` (after `npm run build`): regenerates the console's typed admin API client,
// apps/console/src/api/schema.ts, from the admin API's OpenAPI document (built in-process). Commit it.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { adminApiDocument } = require('../dist/libs/services/control/src');
const { schemaSource } = require('./console-schema');

const target = join(__dirname, '..', 'apps', 'console', 'src', 'api', 'schema.ts');
schemaSource(adminApiDocument()).then(
  (source) => {
    writeFileSync(target, source);
    console.log(`wrote ${target}`);
    process.exit(0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
