import { randomBytes } from 'node:crypto';

import type { ServiceName } from '@polymux/contracts';
import type { LocalNatsServer, LocalNatsServerOptions } from './local-server';
import { startLocalNatsServer } from './local-server';
import type { NatsUser, ServiceCredentials } from './server-config';
import { generateServiceCredentials, serviceUsers } from './server-config';

export interface AuthenticatedNats extends LocalNatsServer {
  /** Each service's own credentials, limited to the permissions derived from the subject map. */
  credentials: Map<ServiceName, ServiceCredentials>;
  /** A user without restrictions, for the test harness (inspecting streams); no service gets it. */
  admin: { user: string; password: string };
  /** `NATS_URL`, `NATS_USER` and `NATS_PASSWORD` of one service. */
  envOf: (service: ServiceName) => Record<'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD', string>;
}

/**
 * A private nats-server configured exactly as `npm run nats:config` would configure one for the
 * subject prefix `prefix`: one user per service with generated passwords, plus a harness admin.
 */
export const startAuthenticatedNats = async (
  prefix = '',
  options: LocalNatsServerOptions = {},
): Promise<AuthenticatedNats> => {
  const credentials = generateServiceCredentials(prefix);
  const admin: NatsUser = { user: 'polymux-test-admin', password: randomBytes(24).toString('base64url') };
  const server = await startLocalNatsServer([...serviceUsers(credentials, prefix), admin], options);
  const byService = new Map(credentials.map((entry) => [entry.service, entry]));
  return {
    ...server,
    credentials: byService,
    admin: { user: admin.user, password: admin.password },
    envOf: (service) => {
      const own = byService.get(service)!;
      return { NATS_URL: server.url, NATS_USER: own.user, NATS_PASSWORD: own.password };
    },
  };
};
