import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';

import type { ServiceName } from '@polymux/contracts';
import { isServiceName } from '@polymux/contracts';
import type { AuthenticatedNats } from '@polymux/nats-auth';
import { findNatsServer, startAuthenticatedNats } from '@polymux/nats-auth';

export interface StackOptions {
  mode: 'distributed' | 'embedded';
  /** Extra environment for every process (e.g. DATABASE_URL, OTEL_* variables). */
  env?: Record<string, string>;
  /**
   * Extra environment of single processes, by their name in `processes` (`provider-sim`,
   * `ingress`, `standalone`, …), over `env`: e.g. a simulator that exports no spans of its own.
   */
  processEnv?: Record<string, Record<string, string>>;
  /** Key with admin rights on both APIs, created on start with credits; generated and printed when absent. */
  bootstrapKey?: string;
  /** Credits granted to the bootstrap project, in USD. */
  bootstrapCreditsUsd?: number;
  /** How long every process may take to report ready. */
  readyTimeoutMs?: number;
  /**
   * Distributed mode: start a private nats-server (JetStream in a temporary folder) on which every
   * service connects with its own credentials and only the permissions derived from the subject
   * map, instead of the unauthenticated `NATS_URL`. Without a nats-server binary the stack says so
   * on stderr and uses `NATS_URL` unauthenticated.
   */
  authenticatedNats?: boolean;
  /**
   * Embedded mode: run the provider simulator as a process of its own (as the distributed mode does)
   * instead of inside the standalone process, so a measurement of the gateway's one thread does not
   * include the upstream's work.
   */
  separateSimulator?: boolean;
  /**
   * Distributed mode: how many ingress processes to start (default 1), as replicas behind a load
   * balancer would run: the second is named `ingress-2` in `processes`, and so on.
   */
  ingressReplicas?: number;
}

/** The NATS the stack's services use. */
export interface StackNats {
  url: string;
  /** True when the stack runs its own nats-server with per-service credentials. */
  authenticated: boolean;
  /** Unrestricted harness credentials on the stack's own nats-server (for inspecting streams). */
  admin?: { user: string; password: string };
  /** The own nats-server's log (permission violations show there). */
  logFile?: string;
}

export interface Stack {
  ingressUrl: string;
  /** Every ingress replica's URL, `ingressUrl` first (one in the embedded mode). */
  ingressUrls: string[];
  controlUrl: string;
  providerSimUrl: string;
  /** Folder holding one log file per process. */
  logDir: string;
  /** Child processes by service name (pids for CPU accounting). */
  processes: Map<string, ChildProcess>;
  /**
   * Fault tests: kills one service of the distributed mode with `signal` (default `SIGKILL`, as
   * `kill -9`), waits for it to exit and starts it again; resolves with its new URL, if it serves HTTP.
   */
  restart: (service: string, signal?: NodeJS.Signals) => Promise<string | undefined>;
  /** Distributed mode: the NATS every service is connected to. */
  nats?: StackNats;
  stop: () => Promise<void>;
}

/** Services of the distributed mode besides provider-sim, in start order. */
const SERVICES = [
  'billing',
  'audit',
  'control',
  'classifier',
  'router',
  'executor',
  'ingress',
] as const satisfies ServiceName[];

/**
 * V8 settings of each distributed process, the same as its image and deployment files: small
 * semi-spaces (V8's default of 16 MB let every process grow about 20 MB under load): 8 MB where
 * most of a call's allocations happen (ingress, executor, billing; 4 MB cost them about 8 % more
 * CPU), 4 MB elsewhere; and an old-space cap under the container's memory limit, so V8 collects
 * harder before the limit is reached. Flags in the launcher's own `NODE_OPTIONS` come after and win.
 */
export const SERVICE_NODE_OPTIONS: Record<string, string> = {
  // ingress and executor also hold the request and response bodies of every call in flight.
  ingress: '--max-semi-space-size=8 --max-old-space-size=224',
  executor: '--max-semi-space-size=8 --max-old-space-size=224',
  billing: '--max-semi-space-size=8 --max-old-space-size=160',
  audit: '--max-semi-space-size=4 --max-old-space-size=160',
  control: '--max-semi-space-size=4 --max-old-space-size=160',
  classifier: '--max-semi-space-size=4 --max-old-space-size=160',
  router: '--max-semi-space-size=4 --max-old-space-size=160',
  'provider-sim': '--max-semi-space-size=4 --max-old-space-size=160',
};

/** The build output's root, whether this file runs from `dist/` or from source under Jest. */
const distRoot = __dirname.includes(`${sep}dist${sep}`)
  ? resolve(__dirname, '../../../..')
  : resolve(__dirname, '../../../../dist');
const entry = (app: string) => join(distRoot, 'apps', app, 'src', 'main.js');

/** `POLYMUX_CPU_PROFILE_DIR`: every process writes a V8 CPU profile there when it exits (for profiling). */
export const cpuProfileArgs = (name: string, dir = process.env.POLYMUX_CPU_PROFILE_DIR): string[] => {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
};

interface SpawnContext {
  logDir: string;
  timeoutMs: number;
  processes: Map<string, ChildProcess>;
  processEnv: Record<string, Record<string, string>>;
}

const spawnService = (
  name: string,
  app: string,
  env: Record<string, string>,
  { logDir, timeoutMs, processes, processEnv }: SpawnContext,
): Promise<{ child: ChildProcess; urls: Map<string, string> }> => {
  const nodeOptions = [SERVICE_NODE_OPTIONS[app], env.NODE_OPTIONS ?? process.env.NODE_OPTIONS];
  // No --enable-source-maps: it holds every module's source map (about 17 MB a process); add it
  // through NODE_OPTIONS to read stack traces against the TypeScript sources.
  const child = spawn(process.execPath, [...cpuProfileArgs(name), entry(app)], {
    env: { ...process.env, ...env, ...processEnv[name], NODE_OPTIONS: nodeOptions.filter(Boolean).join(' ') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.set(name, child);
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  child.stderr?.pipe(log);
  const urls = new Map<string, string>();
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready within ${timeoutMs} ms; see ${logDir}`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready; see ${join(logDir, `${name}.log`)}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      if (line.startsWith('Polymux admin key')) process.stdout.write(`${line}\n`);
      const match = /^polymux (\S+) ready(?: (\S+))?$/.exec(line);
      if (!match) return;
      if (match[2]) urls.set(match[1], match[2]);
      if (match[1] === app) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolveReady({ child, urls });
      }
    });
  });
};

const stopAll = async (children: ChildProcess[]) => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
};

/** The private authenticated nats-server the options ask for, or undefined (with a log line why). */
const ownNats = async (options: StackOptions, logFile: string): Promise<AuthenticatedNats | undefined> => {
  if (options.mode !== 'distributed' || !options.authenticatedNats) return undefined;
  if (!findNatsServer()) {
    process.stderr.write('polymux stack: nats-server is not installed; using NATS_URL without authentication\n');
    return undefined;
  }
  // The prefix the services will see: theirs is the launcher's environment overlaid with `env`.
  const prefix = options.env?.NATS_SUBJECT_PREFIX ?? process.env.NATS_SUBJECT_PREFIX ?? '';
  return startAuthenticatedNats(prefix, { logFile });
};

/**
 * Starts Polymux from the build output (`npm run build` first) as real processes: every service
 * plus provider-sim in the distributed mode, the single standalone process in the embedded mode.
 */
export const startStack = async (options: StackOptions): Promise<Stack> => {
  // `npm test` collects every stack's logs in one folder (POLYMUX_TEST_LOG_DIR), to scan them for secrets.
  const logDir = mkdtempSync(join(process.env.POLYMUX_TEST_LOG_DIR ?? tmpdir(), `polymux-${options.mode}-`));
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const processes = new Map<string, ChildProcess>();
  const context: SpawnContext = { logDir, timeoutMs, processes, processEnv: options.processEnv ?? {} };
  const base: Record<string, string> = {
    POLYMUX_MODE: options.mode,
    PORT: '0',
    CONTROL_PORT: '0',
    PROVIDER_SIM_PORT: '0',
    ...(options.bootstrapKey ? { POLYMUX_BOOTSTRAP_KEY: options.bootstrapKey } : {}),
    POLYMUX_BOOTSTRAP_CREDITS_USD: String(options.bootstrapCreditsUsd ?? 1000),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  let nats: AuthenticatedNats | undefined;
  const stop = async () => {
    await stopAll([...processes.values()].reverse());
    await nats?.stop();
  };
  let serviceEnvOf = (_service: string): Record<string, string> => base;
  /** The app a process runs: an ingress replica (`ingress-2`, …) runs ingress. */
  const appOf = (name: string) => (/^ingress-\d+$/.test(name) ? 'ingress' : name);
  const restart = async (service: string, signal: NodeJS.Signals = 'SIGKILL') => {
    const child = processes.get(service);
    if (!child) throw new Error(`no ${service} process to restart`);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill(signal);
      await exited;
    }
    const app = options.mode === 'embedded' && service !== 'provider-sim' ? 'standalone' : appOf(service);
    const { urls } = await spawnService(service, app, serviceEnvOf(service), context);
    return urls.get(app);
  };
  try {
    if (options.mode === 'embedded') {
      const sim = options.separateSimulator
        ? await spawnService('provider-sim', 'provider-sim', base, context)
        : undefined;
      const simUrl = sim?.urls.get('provider-sim');
      const env = { POLYMUX_DATA_DIR: join(logDir, 'data'), ...base, ...(simUrl ? { PROVIDER_SIM_URL: simUrl } : {}) };
      serviceEnvOf = (service) => (service === 'provider-sim' ? base : env);
      const { urls } = await spawnService('standalone', 'standalone', env, context);
      const url = urls.get('standalone') as string;
      return {
        ingressUrl: url,
        ingressUrls: [url],
        controlUrl: url,
        providerSimUrl: urls.get('provider-sim') ?? '',
        logDir,
        processes,
        restart,
        stop,
      };
    }
    const natsLog = join(logDir, 'nats-server.log');
    nats = await ownNats(options, natsLog);
    const sim = await spawnService('provider-sim', 'provider-sim', base, context);
    const providerSimUrl = sim.urls.get('provider-sim') as string;
    const env: Record<string, string> = { ...base, PROVIDER_SIM_URL: providerSimUrl };
    const envOf = (service: ServiceName) => (nats ? { ...env, ...nats.envOf(service) } : env);
    serviceEnvOf = (name) => {
      const app = appOf(name);
      return isServiceName(app) ? envOf(app) : base;
    };
    const started = await Promise.all(
      SERVICES.map((service) => spawnService(service, service, envOf(service), context)),
    );
    const urlOf = (service: string) =>
      started[SERVICES.indexOf(service as (typeof SERVICES)[number])].urls.get(service) as string;
    const replicas = await Promise.all(
      Array.from({ length: Math.max(1, options.ingressReplicas ?? 1) - 1 }, (_, index) =>
        spawnService(`ingress-${index + 2}`, 'ingress', envOf('ingress'), context),
      ),
    );
    const ingressUrls = [urlOf('ingress'), ...replicas.map(({ urls }) => urls.get('ingress') as string)];
    const stackNats: StackNats = nats
      ? { url: nats.url, authenticated: true, admin: nats.admin, logFile: natsLog }
      : { url: env.NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222', authenticated: false };
    return {
      ingressUrl: urlOf('ingress'),
      ingressUrls,
      controlUrl: urlOf('control'),
      providerSimUrl,
      logDir,
      processes,
      restart,
      nats: stackNats,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
