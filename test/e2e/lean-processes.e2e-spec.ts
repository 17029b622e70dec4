import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

import type { Stack } from '@polymux/testing';
import { deleteNatsNamespace, startStack } from '@polymux/testing';

jest.setTimeout(120_000);

/** Where a loaded file comes from: an npm package, or a Polymux project of the build output. */
const originOf = (file: string): string => {
  const packages = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (packages >= 0) {
    const [scope, name] = file.slice(packages + '/node_modules/'.length).split(sep);
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const built = file.split(`${sep}dist${sep}`)[1]?.split(sep);
  if (!built) return file;
  // libs/services/<service>, libs/platform/<lib>, libs/<lib> or apps/<app>
  return built.slice(0, built[1] === 'services' || built[1] === 'platform' ? 3 : 2).join('/');
};

const EVERY_SERVICE = ['ingress', 'control', 'classifier', 'router', 'executor', 'billing', 'audit'] as const;
type Service = (typeof EVERY_SERVICE)[number];
const except = (...services: Service[]) => EVERY_SERVICE.filter((service) => !services.includes(service));

/** What a distributed service must not load at start, and the services that may. */
const LOADED_ONLY_BY: Array<[origin: string, services: readonly Service[]]> = [
  // Embedded-only pieces, tests and tools: no distributed service.
  ['@electric-sql/pglite', []],
  ['kysely-pglite-dialect', []],
  ['libs/services/provider-sim', []],
  ['libs/platform/testing', []],
  ['libs/platform/nats-auth', []],
  // The classifier counts every prompt's tokens (loaded at its start); ingress loads it on its first
  // count of an answer without usage or of `count_tokens`, never at start.
  ['gpt-tokenizer', ['classifier']],
  // Loaded by the first Bedrock call (signing, event-stream framing), never at start.
  ['@smithy/signature-v4', []],
  ['@smithy/eventstream-codec', []],
  ['@aws-crypto/sha256-js', []],
  // SSO's client library (ESM-only) is imported by the first login, never at start.
  ['openid-client', []],
  // Telemetry: the trace SDK and one exporter, never the NodeSDK with metrics, logs and gRPC.
  ['@opentelemetry/sdk-node', []],
  ['@opentelemetry/sdk-logs', []],
  ['@grpc/grpc-js', []],
  ['@opentelemetry/exporter-trace-otlp-grpc', []],
  ['@opentelemetry/instrumentation-undici', []],
  // Only where it is used.
  ['fastify', ['ingress', 'control']],
  ['@opentelemetry/instrumentation-http', ['ingress', 'control']],
  ['kysely', ['control', 'billing', 'audit']],
  ['pg', ['control', 'billing', 'audit']],
  // The router keeps deployment health in Redis, shared by its replicas; ingress its rate limits.
  ['ioredis', ['ingress', 'router', 'billing']],
  ['undici', ['executor']],
  ['libs/catalog', ['router', 'executor']],
];

describe('lean processes (distributed mode)', () => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'polymux-modules-'));
  const namespace = `e2elean${process.pid}${Date.now()}`;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

  beforeAll(async () => {
    stack = await startStack({
      mode: 'distributed',
      // A key of its own: on an empty database control would otherwise print a generated one, which the log scan refuses.
      bootstrapKey: 'pmx-e2e-lean-processes-key-0123456789abcdef',
      env: {
        POLYMUX_CATALOG_FILE: join(__dirname, 'catalog.yaml'),
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        NATS_URL: natsUrl,
        NATS_SUBJECT_PREFIX: namespace,
        REDIS_KEY_PREFIX: `${namespace}:`,
        // Exporting, as deployed: the exporter in use is loaded, the others not.
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        NODE_OPTIONS: `--require ${join(__dirname, 'fixtures', 'loaded-modules.js')}`,
        POLYMUX_LOADED_MODULES_DIR: dir,
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await deleteNatsNamespace(natsUrl, namespace);
  });

  it.each(EVERY_SERVICE)('%s loads at start only what it uses', (service) => {
    const origins = new Set((JSON.parse(readFileSync(join(dir, `${service}.json`), 'utf8')) as string[]).map(originOf));
    expect(origins).toContain(`libs/services/${service}`);
    expect(origins).toContain('@opentelemetry/exporter-trace-otlp-proto');
    const unexpected = LOADED_ONLY_BY.filter(
      ([origin, services]) => origins.has(origin) && !services.includes(service),
    );
    expect(unexpected.map(([origin]) => origin)).toEqual([]);
    const otherServices = except(service).filter((other) => origins.has(`libs/services/${other}`));
    expect(otherServices).toEqual([]);
  });

  it('loads each restricted package in the services that use it', () => {
    const loadedBy = (origin: string) =>
      EVERY_SERVICE.filter((service) =>
        (JSON.parse(readFileSync(join(dir, `${service}.json`), 'utf8')) as string[]).some(
          (file) => originOf(file) === origin,
        ),
      );
    for (const [origin, services] of LOADED_ONLY_BY) expect([origin, loadedBy(origin)]).toEqual([origin, services]);
  });
});
