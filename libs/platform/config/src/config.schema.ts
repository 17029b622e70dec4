import ipaddr from 'ipaddr.js';
import { z } from 'zod';

import { RoleMapSchema } from './sso-config';

/** The range names Fastify's `trustProxy` (proxy-addr) knows. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const port = z.coerce.number().int().min(0).max(65535);
const millis = z.coerce.number().int().positive();

/** Every environment variable Polymux reads (besides the standard `OTEL_*`), validated at boot. */
export const EnvSchema = z.object({
  POLYMUX_MODE: z.enum(['embedded', 'distributed']).default('distributed'),
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(8080),
  CONTROL_PORT: port.default(8081),
  /**
   * The data plane's address as applications reach it (`https://ai.example.com`): the console's Get
   * started page shows it. Absent: the console's own origin (embedded) or its host on `PORT`.
   */
  POLYMUX_PUBLIC_URL: z.url().optional(),
  /** The Jaeger UI (`http://localhost:16686`): the console's Sessions page links each call to its trace there. */
  POLYMUX_JAEGER_URL: z.url().optional(),
  /** The service name ingress's spans carry in Jaeger; default `polymux-ingress`, embedded `OTEL_SERVICE_NAME` or `standalone`. */
  POLYMUX_JAEGER_SERVICE: z.string().min(1).max(256).optional(),
  PROVIDER_SIM_PORT: port.default(8090),
  PROVIDER_SIM_URL: z.url().optional(),
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /** Namespaces subjects and streams so several deployments can share one NATS. */
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/)
    .default(''),
  /** This service's own NATS credentials (both or neither); see `npm run nats:config`. */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/polymux'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default('polymux:'),
  POLYMUX_DATA_DIR: z.string().default('./.polymux'),
  POLYMUX_CATALOG_FILE: z.string().default('config/catalog.yaml'),
  POLYMUX_BOOTSTRAP_KEY: z.string().min(20, 'must be at least 20 characters').optional(),
  POLYMUX_BOOTSTRAP_CREDITS_USD: z.coerce.number().nonnegative().default(0),
  POLYMUX_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
  /** Deliveries of a durable event before it goes to the dead-letter stream. */
  POLYMUX_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100_000).default(3_000),
  POLYMUX_UPSTREAM_CONNECT_TIMEOUT_MS: millis.default(5_000),
  POLYMUX_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: millis.default(30_000),
  POLYMUX_UPSTREAM_TOTAL_TIMEOUT_MS: millis.default(600_000),
  POLYMUX_KEY_CACHE_TTL_MS: millis.default(60_000),
  /** How often each ingress replica reports the keys it accepted calls of (their last use) to control. */
  POLYMUX_KEY_USE_FLUSH_MS: millis.default(30_000),
  /** Failed key checks from one source address in a window, after which it gets 429 before any lookup. */
  POLYMUX_FAILED_AUTH_LIMIT: z.coerce.number().int().positive().default(20),
  POLYMUX_FAILED_AUTH_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  POLYMUX_RESERVATION_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  /** Oldest unsettled usage event after which billing refuses new reservations (fails closed). */
  POLYMUX_SETTLEMENT_LAG_MAX_MS: millis.default(60_000),
  /** Tests only: a file holding milliseconds that billing adds to its clock (budget periods), read at every use. */
  POLYMUX_TEST_CLOCK_FILE: z.string().min(1).optional(),
  /** Seals provider credentials stored through the admin API (AES-256-GCM): 32 random bytes, base64. */
  POLYMUX_CREDENTIALS_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, '32 bytes, base64 (openssl rand -base64 32)')
    .optional(),
  /**
   * Private or loopback ranges that admin-configured upstreams and media URLs may reach, comma
   * separated (`10.0.0.0/8,::1/128`); default: loopback in the embedded mode, none otherwise.
   */
  POLYMUX_UPSTREAM_ALLOWED_CIDRS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((cidr) => cidr.trim())
        .filter(Boolean),
    )
    .refine((cidrs) => cidrs.every((cidr) => ipaddr.isValidCIDR(cidr)), 'comma-separated CIDR ranges')
    .optional(),
  /**
   * Peers whose `X-Forwarded-For` is believed (load balancers, ingress controllers): comma-separated
   * addresses, CIDR ranges or the names `loopback`, `linklocal` and `uniquelocal` (private ranges);
   * `none`: no peer, the socket's address is the client's. A request's client address (key IP
   * allowlists, failed-authentication throttling) is the nearest one in the chain that is not a
   * trusted proxy, so a client cannot name itself another address.
   */
  POLYMUX_TRUSTED_PROXIES: z
    .string()
    .default('loopback,uniquelocal')
    .transform((value) =>
      value.trim() === 'none'
        ? []
        : value
            .split(',')
            .map((entry) => entry.trim())
            .filter(Boolean),
    )
    .refine(
      (entries) =>
        entries.every((entry) => PROXY_NAMES.has(entry) || ipaddr.isValid(entry) || ipaddr.isValidCIDR(entry)),
      'none, or comma-separated addresses, CIDR ranges, loopback, linklocal or uniquelocal',
    ),
  /** Largest image or document the executor fetches to inline it, and the longest it waits for one. */
  POLYMUX_MEDIA_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  POLYMUX_MEDIA_FETCH_TIMEOUT_MS: millis.default(10_000),
  /** How often router and executor replicas re-read the admin catalog layer, besides on every change event. */
  POLYMUX_CATALOG_REFRESH_MS: millis.default(30_000),
  /** Consecutive failures (5xx, timeouts, connection errors) of a deployment that open its circuit breaker. */
  POLYMUX_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  /** How long an open breaker keeps its deployment behind the healthy ones before a half-open probe. */
  POLYMUX_BREAKER_OPEN_MS: millis.default(30_000),
  /** How long a deployment cools down after a 429 that names no `retry-after`. */
  POLYMUX_COOLDOWN_MS: millis.default(5_000),
  /**
   * How long ingress keeps a session call's trace span context, found by its request id, so that a
   * later call naming it in `x-polymux-parent-request-id` links its span to it (Redis, or memory embedded).
   */
  POLYMUX_SESSION_LINK_TTL_SECONDS: z.coerce.number().int().positive().max(604_800).default(3_600),
  /** Retries of a failed attempt on the same deployment, before falling back to the next one. */
  POLYMUX_RETRIES_PER_DEPLOYMENT: z.coerce.number().int().min(0).max(10).default(1),
  /** Attempts a call may make after its first one (retries and fallbacks together). */
  POLYMUX_RETRY_BUDGET: z.coerce.number().int().min(0).max(100).default(4),
  /** The first retry's backoff; each next one doubles, up to the maximum (a longer `retry-after` falls back instead). */
  POLYMUX_RETRY_BACKOFF_MS: millis.default(100),
  POLYMUX_RETRY_BACKOFF_MAX_MS: millis.default(1_000),
  /** After this long since the call arrived, no new attempt (retry or fallback) starts. */
  POLYMUX_CALL_DEADLINE_MS: millis.default(60_000),
  /**
   * A catalog model (id or alias) the router asks for the task when the classifier's confidence is
   * below POLYMUX_SECOND_OPINION_BELOW; unset (the default), no second opinion is ever asked.
   */
  POLYMUX_SECOND_OPINION_MODEL: z.string().min(1).optional(),
  POLYMUX_SECOND_OPINION_BELOW: z.coerce.number().gt(0).max(1).default(0.6),
  /** The longest the second opinion may take; then the classifier's own task stands. */
  POLYMUX_SECOND_OPINION_TIMEOUT_MS: millis.max(10_000).default(800),
  /**
   * Development only: budget webhooks may be plain http to a loopback address (127.0.0.0/8, ::1);
   * otherwise an endpoint must be https to a public address.
   */
  POLYMUX_WEBHOOKS_ALLOW_LOOPBACK_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /**
   * The longest one webhook POST may take, connect to response headers; below JetStream's 30 s ack
   * wait, so an attempt in flight is never redelivered beside itself.
   */
  POLYMUX_WEBHOOK_TIMEOUT_MS: millis.max(20_000).default(10_000),
  /** Attempts of one webhook delivery before it is recorded failed and dead-lettered. */
  POLYMUX_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  /** Wait before a webhook's second attempt; each later one waits four times longer (capped at an hour), with jitter. */
  POLYMUX_WEBHOOK_RETRY_BASE_MS: millis.default(1_000),
  /** OIDC login for the admin API (docs/governance.md#sso): issuer, client, redirect URI and role map, all or none. */
  POLYMUX_SSO_ISSUER: z.url().optional(),
  POLYMUX_SSO_CLIENT_ID: z.string().min(1).optional(),
  /** Absent: a public client (PKCE only). */
  POLYMUX_SSO_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where the IdP sends the browser back: this deployment's `/admin/v1/sso/callback`. */
  POLYMUX_SSO_REDIRECT_URI: z.url().optional(),
  POLYMUX_SSO_POST_LOGOUT_REDIRECT_URI: z.url().optional(),
  POLYMUX_SSO_SCOPES: z
    .string()
    .default('openid email profile')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean)),
  /** The claim naming the user's org (its id or name). */
  POLYMUX_SSO_ORG_CLAIM: z.string().min(1).default('polymux_org'),
  /** The claim listing the user's IdP groups, which `POLYMUX_SSO_ROLE_MAP` maps to roles. */
  POLYMUX_SSO_GROUPS_CLAIM: z.string().min(1).default('groups'),
  POLYMUX_SSO_ROLE_MAP: RoleMapSchema.optional(),
  POLYMUX_SSO_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).default(900),
  POLYMUX_SSO_MAX_AGE_SECONDS: z.coerce.number().int().min(60).default(43_200),
  /** Development only: an issuer on plain http. */
  POLYMUX_SSO_ALLOW_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});
export type Env = z.infer<typeof EnvSchema>;
