import { resolve } from 'node:path';

import type { Env } from './config.schema';
import { EnvSchema } from './config.schema';
import type { SsoConfig } from './sso-config';
import { ssoConfigOf } from './sso-config';

export type RunMode = 'embedded' | 'distributed';

/** Typed, nested configuration; built once at boot by `loadConfig`. */
export interface PolymuxConfig {
  mode: RunMode;
  /** `ingress`, `billing`, …; `polymux` when every service shares one process. */
  service: string;
  http: {
    host: string;
    port: number;
    controlPort: number;
    /** `POLYMUX_PUBLIC_URL`: the data plane's address as applications reach it. */
    publicUrl?: string;
    maxBodyBytes: number;
    /**
     * `POLYMUX_JAEGER_URL` and the service name ingress's spans carry there: the console links a
     * session's calls to Jaeger's search by request id. Absent: no link.
     */
    jaeger?: { url: string; service: string };
    /** Fastify's `trustProxy`: the peers whose `X-Forwarded-For` names the client (`POLYMUX_TRUSTED_PROXIES`). */
    trustedProxies: string[];
  };
  bus: {
    kind: 'memory' | 'nats';
    natsUrl: string;
    subjectPrefix: string;
    /** Deliveries of a durable event before it is dead-lettered. */
    maxDeliveries: number;
    /** Largest message the bus carries (in pieces over NATS): the body limit plus room for the envelope. */
    maxMessageBytes: number;
    /** This service's own NATS credentials, absent on an unauthenticated NATS. */
    user?: string;
    password?: string;
  };
  database: { kind: 'pglite' | 'postgres'; url: string; dataDir: string };
  counters: { kind: 'memory' | 'redis'; redisUrl: string; keyPrefix: string };
  /** `external`: `PROVIDER_SIM_URL` names a simulator (or any upstream) already running, so the embedded mode starts none. */
  providerSim: { port: number; url: string; external: boolean };
  /** `variables` are what `${VAR}` in the catalog file may reference, and where the executor reads the secrets `env:<NAME>` references name. */
  catalog: { file: string; variables: Record<string, string | undefined>; refreshMs: number };
  /** The key sealing admin-stored provider credentials (32 bytes); absent, none can be stored or read. */
  credentials: { key?: Buffer };
  bootstrap: { key?: string; creditsUsd: number };
  upstream: {
    connectTimeoutMs: number;
    firstByteTimeoutMs: number;
    totalTimeoutMs: number;
    /** Private or loopback CIDR ranges admin-configured upstreams and media URLs may reach. */
    allowedCidrs: string[];
  };
  /** Image and document URLs the executor fetches and inlines for providers that cannot fetch them. */
  media: { maxBytes: number; fetchTimeoutMs: number };
  keys: { cacheTtlMs: number; useFlushMs: number };
  /** Ingress: how many failed key checks one source address may make per window before it is throttled. */
  failedAuth: { limit: number; windowSeconds: number };
  billing: {
    reservationTtlSeconds: number;
    settlementLagMaxMs: number;
    /** Tests only: a file of milliseconds added to billing's clock, for budget period roll-overs. */
    testClockFile?: string;
  };
  /** Billing's budget-alert webhooks: who may be called, how long a POST may take, and its retries. */
  webhooks: { allowLoopbackHttp: boolean; timeoutMs: number; maxAttempts: number; retryBaseMs: number };
  /** Deployment health (router): when a breaker opens, how long it stays open, a 429's default cooldown. */
  health: { breakerFailures: number; breakerOpenMs: number; cooldownMs: number };
  /** Ingress: how long a session call's span context stays findable for its children's span links. */
  sessions: { spanLinkTtlSeconds: number };
  /** Ingress's attempts of one call: retries per deployment, the call's budget, backoff and deadline. */
  retry: { perDeployment: number; budget: number; backoffMs: number; backoffMaxMs: number; deadlineMs: number };
  /**
   * Router: the optional second opinion on an unsure classification (docs/routing.md). `model`
   * absent means off; `belowConfidence` is the calibrated confidence under which it is asked.
   */
  secondOpinion: { model?: string; belowConfidence: number; timeoutMs: number };
  /** Control: OIDC login for the admin API; absent, SSO is off. */
  sso?: SsoConfig;
  logLevel: Env['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * A request body travels inside a JSON envelope (and a reply can be a little longer than its
 * request), so the bus accepts twice the body limit, and never less than 16 MiB.
 */
const busMessageLimit = (maxBodyBytes: number): number => Math.max(2 * maxBodyBytes, 16 * 1024 * 1024);

/** Keys where an empty value means something (no namespace); elsewhere `KEY=` is the same as unset. */
const EMPTY_MEANS_EMPTY: ReadonlySet<string> = new Set<keyof Env>(['NATS_SUBJECT_PREFIX', 'REDIS_KEY_PREFIX']);

/** `PORT=` must not become port 0, nor `POLYMUX_BOOTSTRAP_KEY=` (compose's `${VAR:-}`) a too-short key. */
const withoutEmpty = (values: Record<string, string | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== '' || EMPTY_MEANS_EMPTY.has(key)));

/**
 * Where the console finds a call's trace: the Jaeger UI and ingress's service name there. One process
 * embedded (its `OTEL_SERVICE_NAME`, else the telemetry default `standalone`); distributed, ingress
 * is its own service, `polymux-ingress` in the Compose and Kubernetes files.
 */
const jaegerOf = (url: string, env: Env, otelServiceName: string | undefined): { url: string; service: string } => ({
  url: url.replace(/\/+$/, ''),
  service:
    env.POLYMUX_JAEGER_SERVICE ??
    (env.POLYMUX_MODE === 'embedded' ? otelServiceName || 'standalone' : 'polymux-ingress'),
});

/** Validates the environment once, failing with every bad key listed. */
export const loadConfig = (
  service: string,
  overrides: Partial<Record<keyof Env, string>> = {},
  source: NodeJS.ProcessEnv = process.env,
): PolymuxConfig => {
  const parsed = EnvSchema.safeParse(withoutEmpty({ ...source, ...overrides }));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  if ((env.NATS_USER === undefined) !== (env.NATS_PASSWORD === undefined)) {
    throw new ConfigError(['NATS_USER, NATS_PASSWORD: set both or neither']);
  }
  const { sso, problems } = ssoConfigOf(env);
  if (problems.length > 0) throw new ConfigError(problems);
  const embedded = env.POLYMUX_MODE === 'embedded';
  const dataDir = resolve(env.POLYMUX_DATA_DIR);
  const providerSimUrl = env.PROVIDER_SIM_URL ?? `http://127.0.0.1:${env.PROVIDER_SIM_PORT}`;
  return {
    mode: env.POLYMUX_MODE,
    service,
    http: {
      host: env.HOST,
      port: env.PORT,
      controlPort: env.CONTROL_PORT,
      ...(env.POLYMUX_PUBLIC_URL ? { publicUrl: env.POLYMUX_PUBLIC_URL.replace(/\/+$/, '') } : {}),
      maxBodyBytes: env.POLYMUX_MAX_BODY_BYTES,
      ...(env.POLYMUX_JAEGER_URL ? { jaeger: jaegerOf(env.POLYMUX_JAEGER_URL, env, source.OTEL_SERVICE_NAME) } : {}),
      trustedProxies: env.POLYMUX_TRUSTED_PROXIES,
    },
    bus: {
      kind: embedded ? 'memory' : 'nats',
      natsUrl: env.NATS_URL,
      subjectPrefix: env.NATS_SUBJECT_PREFIX,
      maxDeliveries: env.POLYMUX_MAX_DELIVERIES,
      maxMessageBytes: busMessageLimit(env.POLYMUX_MAX_BODY_BYTES),
      user: env.NATS_USER,
      password: env.NATS_PASSWORD,
    },
    database: { kind: embedded ? 'pglite' : 'postgres', url: env.DATABASE_URL, dataDir },
    counters: { kind: embedded ? 'memory' : 'redis', redisUrl: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    providerSim: { port: env.PROVIDER_SIM_PORT, url: providerSimUrl, external: env.PROVIDER_SIM_URL !== undefined },
    catalog: {
      file: resolve(env.POLYMUX_CATALOG_FILE),
      variables: { ...source, ...overrides, PROVIDER_SIM_URL: providerSimUrl },
      refreshMs: env.POLYMUX_CATALOG_REFRESH_MS,
    },
    credentials: {
      key: env.POLYMUX_CREDENTIALS_KEY === undefined ? undefined : Buffer.from(env.POLYMUX_CREDENTIALS_KEY, 'base64'),
    },
    bootstrap: { key: env.POLYMUX_BOOTSTRAP_KEY, creditsUsd: env.POLYMUX_BOOTSTRAP_CREDITS_USD },
    upstream: {
      connectTimeoutMs: env.POLYMUX_UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteTimeoutMs: env.POLYMUX_UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      totalTimeoutMs: env.POLYMUX_UPSTREAM_TOTAL_TIMEOUT_MS,
      // The embedded mode's simulator listens on loopback.
      allowedCidrs: env.POLYMUX_UPSTREAM_ALLOWED_CIDRS ?? (embedded ? ['127.0.0.0/8', '::1/128'] : []),
    },
    media: { maxBytes: env.POLYMUX_MEDIA_MAX_BYTES, fetchTimeoutMs: env.POLYMUX_MEDIA_FETCH_TIMEOUT_MS },
    keys: { cacheTtlMs: env.POLYMUX_KEY_CACHE_TTL_MS, useFlushMs: env.POLYMUX_KEY_USE_FLUSH_MS },
    failedAuth: { limit: env.POLYMUX_FAILED_AUTH_LIMIT, windowSeconds: env.POLYMUX_FAILED_AUTH_WINDOW_SECONDS },
    billing: {
      reservationTtlSeconds: env.POLYMUX_RESERVATION_TTL_SECONDS,
      settlementLagMaxMs: env.POLYMUX_SETTLEMENT_LAG_MAX_MS,
      ...(env.POLYMUX_TEST_CLOCK_FILE ? { testClockFile: resolve(env.POLYMUX_TEST_CLOCK_FILE) } : {}),
    },
    webhooks: {
      allowLoopbackHttp: env.POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP,
      timeoutMs: env.POLYMUX_WEBHOOK_TIMEOUT_MS,
      maxAttempts: env.POLYMUX_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: env.POLYMUX_WEBHOOK_RETRY_BASE_MS,
    },
    health: {
      breakerFailures: env.POLYMUX_BREAKER_FAILURES,
      breakerOpenMs: env.POLYMUX_BREAKER_OPEN_MS,
      cooldownMs: env.POLYMUX_COOLDOWN_MS,
    },
    sessions: { spanLinkTtlSeconds: env.POLYMUX_SESSION_LINK_TTL_SECONDS },
    retry: {
      perDeployment: env.POLYMUX_RETRIES_PER_DEPLOYMENT,
      budget: env.POLYMUX_RETRY_BUDGET,
      backoffMs: env.POLYMUX_RETRY_BACKOFF_MS,
      backoffMaxMs: env.POLYMUX_RETRY_BACKOFF_MAX_MS,
      deadlineMs: env.POLYMUX_CALL_DEADLINE_MS,
    },
    secondOpinion: {
      ...(env.POLYMUX_SECOND_OPINION_MODEL === undefined ? {} : { model: env.POLYMUX_SECOND_OPINION_MODEL }),
      belowConfidence: env.POLYMUX_SECOND_OPINION_BELOW,
      timeoutMs: env.POLYMUX_SECOND_OPINION_TIMEOUT_MS,
    },
    ...(sso ? { sso } : {}),
    logLevel: env.LOG_LEVEL,
  };
};

/** `${NAME`, `${NAME:-` or `${NAME:+` at the start of a reference; the word then runs to its matching `}`. */
const REFERENCE = /\$\{([A-Z0-9_]+)(:-|:\+|\})/y;

/** Where the `}` that closes a default starting at `from` is, counting nested `${`; -1 when none. */
const closingBrace = (text: string, from: number): number => {
  let depth = 0;
  for (let index = from; index < text.length; index++) {
    if (text.startsWith('${', index)) {
      depth++;
      index++;
    } else if (text[index] === '}') {
      if (depth === 0) return index;
      depth--;
    }
  }
  return -1;
};

const substitute = (text: string, source: Record<string, string | undefined>, missing: Set<string>): string => {
  let result = '';
  let index = 0;
  for (let at = text.indexOf('${'); at !== -1; at = text.indexOf('${', index)) {
    REFERENCE.lastIndex = at;
    const match = REFERENCE.exec(text);
    const end = match?.[2] === '}' ? REFERENCE.lastIndex - 1 : closingBrace(text, REFERENCE.lastIndex);
    if (!match || end === -1) {
      result += text.slice(index, at + 2);
      index = at + 2;
      continue;
    }
    const [, name, form] = match;
    const value = source[name!];
    const set = value !== undefined && value !== '';
    const word = () => substitute(text.slice(REFERENCE.lastIndex, end), source, missing);
    result += text.slice(index, at);
    if (form === ':+') result += set ? word() : '';
    else if (set) result += value;
    else if (form === ':-') result += word();
    else {
      missing.add(name!);
      result += text.slice(at, end + 1);
    }
    index = end + 1;
  }
  return result + text.slice(index);
};

/**
 * Replaces `${NAME}`, `${NAME:-default}` and `${NAME:+word}` (the word when NAME is set, else
 * nothing) in a config file's text with environment values, so that files such as the model
 * catalog can point at deployment-specific URLs. A default or word may itself hold references
 * (`${GEMINI_BASE_URL:-${PROVIDER_SIM_URL}/v1beta}`); they are resolved only when it is used.
 */
export const interpolateEnv = (text: string, source: Record<string, string | undefined> = process.env): string => {
  const missing = new Set<string>();
  const result = substitute(text, source, missing);
  if (missing.size > 0)
    throw new ConfigError([...missing].map((name) => `${name}: referenced by a config file but not set`));
  return result;
};

/** Resolves a credentials reference such as `env:OPENAI_API_KEY`; undefined when unset. */
export const resolveSecret = (reference: string | undefined, source: NodeJS.ProcessEnv = process.env) => {
  if (!reference) return undefined;
  const [, scheme, name] = /^([a-z]+):(.*)$/.exec(reference) ?? [];
  if (scheme !== 'env' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name ?? ''))
    throw new ConfigError([`credentials reference ${reference}: only env:<NAME> is supported`]);
  return source[name];
};
