import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export interface Portkey {
  url: string;
  version: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** The installed `@portkey-ai/gateway`: its Node entry point and version. */
const portkeyPackage = (): { entry: string; version: string } => {
  const manifest = require.resolve('@portkey-ai/gateway/package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { entry: join(dirname(manifest), 'build', 'start-server.js'), version };
};

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });

/**
 * Starts Portkey OSS (`build/start-server.js --port=<port> --headless`, as its README runs it in
 * production, with NODE_ENV=production) on a free port and waits until `GET /` answers.
 */
export const startPortkey = async (logFile: string, timeoutMs = 30_000): Promise<Portkey> => {
  const { entry, version } = portkeyPackage();
  const port = await freePort();
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Portkey exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const response = await fetch(`${url}/`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`Portkey did not answer within ${timeoutMs} ms; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, version, child, stop: () => stopChild(child) };
};
