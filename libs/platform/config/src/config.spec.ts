import { resolve } from 'node:path';

import { ConfigError, interpolateEnv, loadConfig, resolveSecret } from './config';

/** The problems a bad configuration reports, or a failure when it loads. */
const problemsOf = (source: Record<string, string>): string[] => {
  try {
    loadConfig('ingress', {}, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the configuration loaded');
};

describe('loadConfig', () => {
  it('defaults to the distributed mode on the local backends', () => {
    expect(loadConfig('ingress', {}, {})).toMatchObject({
      mode: 'distributed',
      service: 'ingress',
      http: {
        host: '0.0.0.0',
        port: 8080,
        controlPort: 8081,
        maxBodyBytes: 1_000_000,
        trustedProxies: ['loopback', 'uniquelocal'],
      },
      bus: { kind: 'nats', natsUrl: 'nats://127.0.0.1:4222', subjectPrefix: '' },
      database: { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/polymux', dataDir: resolve('.polymux') },
      counters: { kind: 'redis', redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 'polymux:' },
      providerSim: { port: 8090, url: 'http://127.0.0.1:8090', external: false },
      catalog: { file: resolve('config/catalog.yaml') },
      bootstrap: { key: undefined, creditsUsd: 0 },
      upstream: { connectTimeoutMs: 5_000, firstByteTimeoutMs: 30_000, totalTimeoutMs: 600_000 },
      keys: { cacheTtlMs: 60_000, useFlushMs: 30_000 },
      failedAuth: { limit: 20, windowSeconds: 60 },
      billing: { reservationTtlSeconds: 900 },
      logLevel: 'log',
    });
  });

  it('runs everything in memory and PGlite in the embedded mode', () => {
    const config = loadConfig('polymux', {}, { POLYMUX_MODE: 'embedded', POLYMUX_DATA_DIR: 'var/data' });
    expect(config).toMatchObject({
      mode: 'embedded',
      bus: { kind: 'memory' },
      database: { kind: 'pglite', dataDir: resolve('var/data') },
      counters: { kind: 'memory' },
    });
  });

  it('names the Jaeger UI and ingress’s service there only when POLYMUX_JAEGER_URL is set', () => {
    expect(loadConfig('control', {}, {}).http.jaeger).toBeUndefined();
    const jaeger = (source: Record<string, string>) => loadConfig('control', {}, source).http.jaeger;
    expect(jaeger({ POLYMUX_JAEGER_URL: 'http://jaeger:16686/' })).toEqual({
      url: 'http://jaeger:16686',
      service: 'polymux-ingress',
    });
    const embedded = { POLYMUX_MODE: 'embedded', POLYMUX_JAEGER_URL: 'http://localhost:16686' };
    expect(jaeger(embedded)?.service).toBe('standalone');
    expect(jaeger({ ...embedded, OTEL_SERVICE_NAME: 'polymux-standalone' })?.service).toBe('polymux-standalone');
    expect(jaeger({ ...embedded, POLYMUX_JAEGER_SERVICE: 'edge' })?.service).toBe('edge');
    expect(problemsOf({ POLYMUX_JAEGER_URL: 'not a url' })[0]).toMatch(/^POLYMUX_JAEGER_URL:/);
  });

  it('reads and converts values, overrides winning over the environment', () => {
    const config = loadConfig(
      'control',
      { CONTROL_PORT: '9001', LOG_LEVEL: 'debug' },
      {
        CONTROL_PORT: '9000',
        PORT: '9002',
        PROVIDER_SIM_PORT: '7000',
        POLYMUX_BOOTSTRAP_KEY: 'pmx-a-key-of-enough-length',
        POLYMUX_BOOTSTRAP_CREDITS_USD: '12.5',
        NATS_SUBJECT_PREFIX: 'team_a-1',
        SOMETHING_ELSE: 'ignored',
      },
    );
    expect(config).toMatchObject({
      http: { port: 9002, controlPort: 9001 },
      providerSim: { port: 7000, url: 'http://127.0.0.1:7000', external: false },
      bootstrap: { key: 'pmx-a-key-of-enough-length', creditsUsd: 12.5 },
      bus: { subjectPrefix: 'team_a-1' },
      logLevel: 'debug',
    });
    expect(config.catalog.variables).toMatchObject({
      SOMETHING_ELSE: 'ignored',
      PROVIDER_SIM_URL: 'http://127.0.0.1:7000',
    });
  });

  it('marks a simulator named by PROVIDER_SIM_URL as external, so the embedded mode starts none', () => {
    const config = loadConfig('standalone', {}, { POLYMUX_MODE: 'embedded', PROVIDER_SIM_URL: 'http://10.0.0.5:9000' });
    expect(config.providerSim).toEqual({ port: 8090, url: 'http://10.0.0.5:9000', external: true });
    expect(config.catalog.variables.PROVIDER_SIM_URL).toBe('http://10.0.0.5:9000');
  });

  it('lists every bad key at once', () => {
    const problems = problemsOf({
      POLYMUX_MODE: 'cloud',
      PORT: 'eighty',
      CONTROL_PORT: '70000',
      PROVIDER_SIM_URL: 'not a url',
      NATS_SUBJECT_PREFIX: 'a.b',
      POLYMUX_BOOTSTRAP_KEY: 'short',
      POLYMUX_BOOTSTRAP_CREDITS_USD: '-5',
      POLYMUX_MAX_BODY_BYTES: '1.5',
      POLYMUX_UPSTREAM_TOTAL_TIMEOUT_MS: '0',
      POLYMUX_TRUSTED_PROXIES: '10.0.0.0/8,the-load-balancer',
      LOG_LEVEL: 'loud',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(
      [
        'CONTROL_PORT',
        'LOG_LEVEL',
        'NATS_SUBJECT_PREFIX',
        'POLYMUX_BOOTSTRAP_CREDITS_USD',
        'POLYMUX_BOOTSTRAP_KEY',
        'POLYMUX_MAX_BODY_BYTES',
        'POLYMUX_MODE',
        'POLYMUX_TRUSTED_PROXIES',
        'POLYMUX_UPSTREAM_TOTAL_TIMEOUT_MS',
        'PORT',
        'PROVIDER_SIM_URL',
      ].sort(),
    );
    expect(problems).toContain('POLYMUX_BOOTSTRAP_KEY: must be at least 20 characters');
    const error = (() => {
      try {
        loadConfig('ingress', {}, { PORT: 'x', LOG_LEVEL: 'y' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toMatch(/^invalid configuration:\n {2}PORT: .+\n {2}LOG_LEVEL: .+$/);
  });

  it('reads the trusted proxies as addresses, ranges and range names, or none', () => {
    const trusted = (value: string) =>
      loadConfig('ingress', {}, { POLYMUX_TRUSTED_PROXIES: value }).http.trustedProxies;
    expect(trusted(' 10.0.0.0/8, 192.0.2.7 ,loopback,')).toEqual(['10.0.0.0/8', '192.0.2.7', 'loopback']);
    expect(trusted('none')).toEqual([]);
  });

  it('has no second opinion unless a model is named, and validates its threshold and timeout', () => {
    expect(loadConfig('router', {}, {}).secondOpinion).toEqual({ belowConfidence: 0.6, timeoutMs: 800 });
    const config = loadConfig(
      'router',
      {},
      {
        POLYMUX_SECOND_OPINION_MODEL: 'gpt-4.1-nano',
        POLYMUX_SECOND_OPINION_BELOW: '0.35',
        POLYMUX_SECOND_OPINION_TIMEOUT_MS: '400',
      },
    );
    expect(config.secondOpinion).toEqual({ model: 'gpt-4.1-nano', belowConfidence: 0.35, timeoutMs: 400 });
    const problems = problemsOf({ POLYMUX_SECOND_OPINION_BELOW: '1.5', POLYMUX_SECOND_OPINION_TIMEOUT_MS: '60000' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'POLYMUX_SECOND_OPINION_BELOW',
      'POLYMUX_SECOND_OPINION_TIMEOUT_MS',
    ]);
    expect(problemsOf({ POLYMUX_SECOND_OPINION_BELOW: '0' })).toHaveLength(1);
  });

  it('treats an empty value as unset, except for the namespace prefixes', () => {
    const config = loadConfig(
      'ingress',
      {},
      { PORT: '', POLYMUX_BOOTSTRAP_KEY: '', LOG_LEVEL: '', REDIS_KEY_PREFIX: '' },
    );
    expect(config.http.port).toBe(8080);
    expect(config.bootstrap.key).toBeUndefined();
    expect(config.logLevel).toBe('log');
    expect(config.counters.keyPrefix).toBe('');
  });
});

describe('interpolateEnv', () => {
  it('substitutes variables and fallbacks', () => {
    expect(interpolateEnv('url: ${BASE}/v1, model: ${MODEL:-gpt}', { BASE: 'http://sim' })).toBe(
      'url: http://sim/v1, model: gpt',
    );
    expect(interpolateEnv('${EMPTY:-fallback}', { EMPTY: '' })).toBe('fallback');
    expect(interpolateEnv('no variables, $HOME stays', {})).toBe('no variables, $HOME stays');
  });

  it('resolves references inside a default, only when the default is used', () => {
    const text = 'url: ${GEMINI_BASE_URL:-${PROVIDER_SIM_URL}/v1beta}';
    expect(interpolateEnv(text, { PROVIDER_SIM_URL: 'http://sim' })).toBe('url: http://sim/v1beta');
    expect(interpolateEnv(text, { GEMINI_BASE_URL: 'https://g.test/v1beta' })).toBe('url: https://g.test/v1beta');
    expect(() => interpolateEnv(text, {})).toThrow('PROVIDER_SIM_URL: referenced by a config file but not set');
    expect(interpolateEnv('${A:-${B:-${C:-deep}}-x}', {})).toBe('deep-x');
    expect(interpolateEnv('${A:-}', {})).toBe('');
  });

  it('gives ${VAR:+word} only when VAR is set', () => {
    const text = 'key: ${OPENAI_BASE_URL:+env:OPENAI_API_KEY}';
    expect(interpolateEnv(text, { OPENAI_BASE_URL: 'https://api.openai.com/v1' })).toBe('key: env:OPENAI_API_KEY');
    expect(interpolateEnv(text, {})).toBe('key: ');
    expect(interpolateEnv('${A:+${B}}', {})).toBe('');
    expect(() => interpolateEnv('${A:+${B}}', { A: 'a' })).toThrow('B: referenced by a config file but not set');
  });

  it('leaves text that only looks like a reference alone', () => {
    expect(interpolateEnv('${lower} ${A:-unclosed', {})).toBe('${lower} ${A:-unclosed');
    expect(interpolateEnv('a } b ${X}', { X: 'x' })).toBe('a } b x');
  });

  it('names every variable that is referenced but not set', () => {
    expect(() => interpolateEnv('${A} ${B} ${A} ${C:-c}', {})).toThrow(ConfigError);
    try {
      interpolateEnv('${A} ${B} ${A} ${C:-c}', {});
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'A: referenced by a config file but not set',
        'B: referenced by a config file but not set',
      ]);
    }
  });
});

describe('resolveSecret', () => {
  it('reads env:<NAME> from the environment', () => {
    expect(resolveSecret('env:OPENAI_API_KEY', { OPENAI_API_KEY: 'sk-test' })).toBe('sk-test');
    expect(resolveSecret('env:UNSET_KEY', {})).toBeUndefined();
    expect(resolveSecret(undefined, { X: 'y' })).toBeUndefined();
    expect(resolveSecret('', { X: 'y' })).toBeUndefined();
  });

  it.each(['file:/run/secrets/key', 'env:', 'env:A:B', 'env: SPACED', 'ENV:KEY', 'OPENAI_API_KEY', 'env:1ABC'])(
    'refuses the reference %s, naming it',
    (reference) => {
      expect(() => resolveSecret(reference, { A: 'a', KEY: 'k', OPENAI_API_KEY: 'k' })).toThrow(
        new ConfigError([`credentials reference ${reference}: only env:<NAME> is supported`]),
      );
    },
  );
});
