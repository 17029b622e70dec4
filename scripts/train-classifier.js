// Retrains the task classifier's model (after `npm run build`): see docs/routing.md, "Task classification".
// With --tune, compares fastText arguments on the dev split instead and writes nothing.
// Needs Debian's `fasttext` CLI and the public development set (CLASSIFIER_PUBLIC_DATA, default ../shared/data/classifier).
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const script = process.argv.includes('--tune') ? 'tune-task-model.js' : 'train-task-model.js';
execFileSync(process.execPath, [join(__dirname, '..', 'dist', 'libs', 'services', 'classifier', 'training', script)], {
  stdio: 'inherit',
  cwd: join(__dirname, '..'),
});
