import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { join } from 'node:path';

import type { OtlpStats } from './otlp-receiver';

export type { OtlpStats } from './otlp-receiver';

export interface OtlpReceiver {
  url: string;
  pid: number;
  stats: () => Promise<OtlpStats>;
  stop: () => Promise<void>;
}

/** Starts `otlp-receiver.js` beside this file as a child process and waits for its URL. */
export const startOtlpReceiver = async (): Promise<OtlpReceiver> => {
  const child: ChildProcess = fork(join(__dirname, 'otlp-receiver.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, OTEL_SDK_DISABLED: 'true' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the OTLP receiver exited with code ${code}`)));
    child.once('message', (message: { url?: string }) =>
      message.url ? resolve(message.url) : reject(new Error('no URL')),
    );
  });
  child.removeAllListeners('exit');
  const stats = () =>
    new Promise<OtlpStats>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the OTLP receiver did not answer')), 5_000);
      child.once('message', (message: { stats?: OtlpStats }) => {
        clearTimeout(timer);
        if (message.stats) resolve(message.stats);
        else reject(new Error('unexpected message from the OTLP receiver'));
      });
      child.send({ type: 'stats' });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.disconnect();
    });
  return { url, pid: child.pid ?? -1, stats, stop };
};

/** What arrived between two readings of the receiver. */
export const otlpBetween = (before: OtlpStats, after: OtlpStats) => ({
  exports:
    Object.values(after.exports).reduce((sum, count) => sum + count, 0) -
    Object.values(before.exports).reduce((sum, count) => sum + count, 0),
  traceExports: (after.exports['/v1/traces'] ?? 0) - (before.exports['/v1/traces'] ?? 0),
  bytes: after.bytes - before.bytes,
  spans: after.spans - before.spans,
});
