import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';

import type { NatsUser } from './server-config';
import { renderNatsServerConfig } from './server-config';

export interface LocalNatsServer {
  url: string;
  process: ChildProcess;
  stop: () => Promise<void>;
}

export interface LocalNatsServerOptions {
  /** Default: `findNatsServer()`. */
  binary?: string;
  /** Where the server's log goes (e.g. to look for permission violations); default nowhere. */
  logFile?: string;
  timeoutMs?: number;
}

/** The `nats-server` binary on PATH (or in /usr/sbin), undefined when it is not installed. */
export const findNatsServer = (): string | undefined =>
  [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/bin']
    .filter(Boolean)
    .map((dir) => join(dir, 'nats-server'))
    .find((candidate) => existsSync(candidate));

/**
 * For local runs and tests: starts a private `nats-server` on a free loopback port, JetStream in a temporary folder, where
 * only `users` may connect (each with its permissions). Resolves once it accepts clients.
 */
export const startLocalNatsServer = async (
  users: NatsUser[],
  options: LocalNatsServerOptions = {},
): Promise<LocalNatsServer> => {
  const binary = options.binary ?? findNatsServer();
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (!binary) throw new Error('nats-server is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'polymux-nats-'));
  const configFile = join(dir, 'nats-server.conf');
  writeFileSync(configFile, renderNatsServerConfig(users, { host: '127.0.0.1', port: -1, storeDir: join(dir, 'js') }), {
    mode: 0o600,
  });
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (options.logFile) child.stderr?.pipe(createWriteStream(options.logFile));
  const stop = () =>
    new Promise<void>((done) => {
      const finish = () => {
        rmSync(dir, { recursive: true, force: true });
        done();
      };
      if (child.exitCode !== null || child.signalCode !== null) return finish();
      child.once('exit', finish);
      child.kill('SIGTERM');
    });
  const lines: string[] = [];
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server not ready within ${timeoutMs} ms`)), timeoutMs);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with code ${code}:\n${lines.join('\n')}`));
      });
      let port: string | undefined;
      let ready = false;
      // Keeps draining the server's log after start, so it never blocks on a full pipe.
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (ready) return;
        lines.push(line);
        port ??= /Listening for client connections on [^\s]+:(\d+)/.exec(line)?.[1];
        if (port && line.includes('Server is ready')) {
          ready = true;
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve(`nats://127.0.0.1:${port}`);
        }
      });
    });
    return { url, process: child, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
