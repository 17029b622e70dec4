import type { ServiceName } from '@polymux/contracts';
import { stringify } from 'yaml';

import type { NatsServerOptions, ServiceCredentials } from './server-config';
import { generateServiceCredentials, renderNatsServerConfig, serviceUsers } from './server-config';

/** The nats-server of a container deployment: every interface of its network, monitoring for health checks. */
const CONTAINER_SERVER: NatsServerOptions = { host: '0.0.0.0', port: 4222, httpPort: 8222, storeDir: '/data' };

export interface GeneratedFile {
  name: string;
  content: string;
}

/** Kubernetes Secret holding one service's credentials (its pods read them with `envFrom`). */
export const serviceSecretName = (service: ServiceName) => `polymux-nats-${service}`;
/** Kubernetes Secret holding the nats-server configuration. */
export const SERVER_SECRET_NAME = 'polymux-nats-server';
export const SERVER_CONFIG_FILE = 'nats-server.conf';

const envFile = ({ user, password }: ServiceCredentials) => `NATS_USER=${user}\nNATS_PASSWORD=${password}\n`;

/** Reads the passwords of earlier `<service>.env` files, so regenerating keeps them. */
export const passwordsFromEnvFiles = (files: Partial<Record<ServiceName, string>>) => {
  const passwords: Partial<Record<ServiceName, string>> = {};
  for (const [service, text] of Object.entries(files) as Array<[ServiceName, string]>) {
    const password = /^NATS_PASSWORD=(.+)$/m.exec(text)?.[1];
    if (password) passwords[service] = password;
  }
  return passwords;
};

/**
 * Docker Compose (or any host): `nats-server.conf` for the NATS container and one
 * `<service>.env` per service with its `NATS_USER`/`NATS_PASSWORD`.
 */
export const composeFiles = (prefix = '', existing: Partial<Record<ServiceName, string>> = {}): GeneratedFile[] => {
  const credentials = generateServiceCredentials(prefix, existing);
  return [
    { name: SERVER_CONFIG_FILE, content: renderNatsServerConfig(serviceUsers(credentials, prefix), CONTAINER_SERVER) },
    ...credentials.map((entry) => ({ name: `${entry.service}.env`, content: envFile(entry) })),
  ];
};

/**
 * Kubernetes: one manifest with the `polymux-nats-server` Secret (the server's configuration,
 * mounted by deploy/k8s/nats.yaml) and a `polymux-nats-<service>` Secret per service.
 */
export const kubernetesSecrets = (prefix = '', namespace = 'polymux'): string => {
  const credentials = generateServiceCredentials(prefix);
  const secret = (name: string, stringData: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'polymux' } },
    type: 'Opaque',
    stringData,
  });
  const documents = [
    secret(SERVER_SECRET_NAME, {
      [SERVER_CONFIG_FILE]: renderNatsServerConfig(serviceUsers(credentials, prefix), CONTAINER_SERVER),
    }),
    ...credentials.map(({ service, user, password }) =>
      secret(serviceSecretName(service), { NATS_USER: user, NATS_PASSWORD: password }),
    ),
  ];
  return documents.map((document) => stringify(document, { blockQuote: 'literal' })).join('---\n');
};
