import type { Stack } from '@polymux/testing';
import { deleteNatsNamespace, pollUntil, startStack } from '@polymux/testing';

import { reconcileAccounts } from './reconcile';

export type Mode = 'distributed' | 'embedded';
export const MODES: readonly Mode[] = ['distributed', 'embedded'];

export interface LedgerEntry {
  requestId: string | null;
  kind: string;
  amountNanoUsd: string;
}

export interface Gateway {
  stack: Stack;
  /** A project key with credits, for the data-plane API. */
  apiKey: string;
  orgId: string;
  projectId: string;
  /** The bootstrap key: the instance operator's. */
  adminKey: string;
  /** Calls control's admin API with the bootstrap key; throws on a non-2xx answer. */
  admin<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** The ledger entries of one request, once billing has settled it. */
  charges(requestId: string): Promise<LedgerEntry[]>;
  /**
   * Distributed mode: runs `billing:reconcile`'s command on the project's account against the
   * stack's Postgres and Redis; answers its exit code and output. (The embedded mode's balances
   * live in the gateway's memory: its reconciliation runs in billing's embedded integration spec.)
   */
  reconcile(): Promise<{ code: number; output: string }>;
  /** The prefix of the stack's Redis keys (distributed mode). */
  redisKeyPrefix: string;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  mode: Mode;
  /** Absolute path of the catalog file the stack serves. */
  catalogFile: string;
  /** A label for the stack's NATS subjects, Redis keys and organisation. */
  label: string;
  /** The project's paid credits (default $10); null: none at all. */
  creditsUsd?: string | null;
  env?: Record<string, string>;
  /** Distributed mode: every service on its own NATS credentials (see `StackOptions.authenticatedNats`). */
  authenticatedNats?: boolean;
  /** Distributed mode: ingress processes to start (see `StackOptions.ingressReplicas`). */
  ingressReplicas?: number;
}

const BOOTSTRAP_KEY = 'pmx-e2e-bootstrap-key-0123456789abcdef';

/**
 * Starts the whole gateway in `mode` on the suite's Postgres, Redis and NATS, in a namespace of its
 * own, and creates an organisation, a project with credits and a key for it.
 */
export const startGateway = async ({
  mode,
  catalogFile,
  label,
  creditsUsd = '10.00',
  env = {},
  authenticatedNats = false,
  ingressReplicas,
}: GatewayOptions): Promise<Gateway> => {
  const unique = `${label}${mode}${process.pid}${Date.now()}`;
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const stores = {
    DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/polymux_e2e',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    NATS_URL: natsUrl,
    REDIS_KEY_PREFIX: `${unique}:`,
  };
  const stack = await startStack({
    mode,
    authenticatedNats,
    ingressReplicas,
    bootstrapKey: BOOTSTRAP_KEY,
    env: { POLYMUX_CATALOG_FILE: catalogFile, ...stores, NATS_SUBJECT_PREFIX: unique, ...env },
  });
  const admin = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.controlUrl}/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${BOOTSTRAP_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T;
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const org = await admin<{ id: string }>('POST', '/orgs', { name: `e2e-${unique}` });
  const project = await admin<{ id: string }>('POST', `/orgs/${org.id}/projects`, { name: 'app' });
  const apiKey = (await admin<{ key: string }>('POST', `/projects/${project.id}/keys`, { name: 'app key' })).key;
  if (creditsUsd !== null)
    await admin('POST', `/projects/${project.id}/credits`, { amountUsd: creditsUsd }, { 'idempotency-key': unique });
  const charges = (requestId: string) =>
    pollUntil(
      () =>
        admin<{ data: LedgerEntry[] }>('GET', `/projects/${project.id}/ledger?requestId=${requestId}`).then(
          (result) => result.data,
        ),
      (entries) => entries.length > 0,
      { timeoutMs: 15_000 },
    );
  const reconcile = () => reconcileAccounts(stores, [`project:${project.id}`]);
  return {
    stack,
    apiKey,
    adminKey: BOOTSTRAP_KEY,
    reconcile,
    redisKeyPrefix: stores.REDIS_KEY_PREFIX,
    orgId: org.id,
    projectId: project.id,
    admin,
    charges,
    stop: async () => {
      await stack.stop();
      // The stack's own nats-server is gone with it; a shared one keeps the namespace's streams otherwise.
      if (mode === 'distributed' && !stack.nats?.authenticated) await deleteNatsNamespace(natsUrl, unique);
    },
  };
};
