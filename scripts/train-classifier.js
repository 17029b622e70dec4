// Retrains the task classifier's model (after `npm run build`): see docs/routing.md, "Task classification".
// Needs Debian's `fasttext` CLI and the public development set (CLASSIFIER_PUBLIC_DATA, default ../shared/data/classifier).
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

execFileSync(
  process.execPath,
  [join(__dirname, '..', 'dist', 'libs', 'services', 'classifier', 'training', 'train-task-model.js')],
  {
    stdio: 'inherit',
    cwd: join(__dirname, '..'),
  },
);
