import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { adminApiDocument } from './admin-api-document';

const ROOT = join(__dirname, '../../../../..');

describe("the console's API client", () => {
  it('is what the current admin API document generates (npm run console:api)', () => {
    // openapi-typescript loads ES modules, which Jest's module system cannot: it runs in plain Node.
    const generated = execFileSync(process.execPath, [join(ROOT, 'scripts/console-schema.js')], {
      input: JSON.stringify(adminApiDocument()),
      encoding: 'utf8',
    });
    // Failing here: the admin API changed. Run `npm run console:api` and commit apps/console/src/api/schema.ts.
    expect(readFileSync(join(ROOT, 'apps/console/src/api/schema.ts'), 'utf8')).toBe(generated);
  });
});
