import { randomBytes } from 'node:crypto';

import type { ServiceName } from '@polymux/contracts';
import { SERVICE_NAMES } from '@polymux/contracts';

import type { NatsPermissions } from './permissions';
import { natsPermissions } from './permissions';

export interface NatsUser {
  user: string;
  password: string;
  /** Absent: every subject (an operator's or a test harness's account, never a service's). */
  permissions?: NatsPermissions;
}

/** One service's credentials, as its `NATS_USER` / `NATS_PASSWORD`. */
export interface ServiceCredentials {
  service: ServiceName;
  user: string;
  password: string;
}

export interface NatsServerOptions {
  /** Client port; `-1` picks a free one. Default 4222. */
  port?: number;
  /** Interface the client port binds to; default every interface. */
  host?: string;
  /** JetStream storage directory; default the server's own. */
  storeDir?: string;
  /** Monitoring port (health checks); none by default. */
  httpPort?: number;
}

const newPassword = () => randomBytes(24).toString('base64url');

/** NATS user name of a service; the prefix keeps deployments sharing one NATS apart. */
export const natsUserName = (service: ServiceName, prefix = '') =>
  prefix ? `${prefix}-polymux-${service}` : `polymux-${service}`;

/** Fresh random credentials for every service (`existing` passwords are kept, so reruns are stable). */
export const generateServiceCredentials = (
  prefix = '',
  existing: Partial<Record<ServiceName, string>> = {},
): ServiceCredentials[] =>
  SERVICE_NAMES.map((service) => ({
    service,
    user: natsUserName(service, prefix),
    password: existing[service] ?? newPassword(),
  }));

/** The users of a nats-server config: one per service, each with its derived permissions. */
export const serviceUsers = (credentials: ServiceCredentials[], prefix = ''): NatsUser[] =>
  credentials.map(({ service, user, password }) => ({
    user,
    password,
    permissions: natsPermissions(service, prefix),
  }));

const renderPermissions = ({ publish, subscribe }: NatsPermissions) => ({
  publish: { allow: publish },
  subscribe: { allow: subscribe },
});

/**
 * A complete nats-server configuration (JSON, which the server's config format accepts): JetStream
 * on, and only the given users may connect, each limited to its permissions.
 */
export const renderNatsServerConfig = (users: NatsUser[], options: NatsServerOptions = {}): string => {
  const config = {
    ...(options.host ? { host: options.host } : {}),
    port: options.port ?? 4222,
    ...(options.httpPort ? { http_port: options.httpPort } : {}),
    jetstream: options.storeDir ? { store_dir: options.storeDir } : {},
    authorization: {
      users: users.map(({ user, password, permissions }) => ({
        user,
        password,
        ...(permissions ? { permissions: renderPermissions(permissions) } : {}),
      })),
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
};
