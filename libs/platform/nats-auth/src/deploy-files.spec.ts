import { SERVICE_NAMES } from '@polymux/contracts';
import { parseAllDocuments } from 'yaml';

import { composeFiles, kubernetesSecrets, passwordsFromEnvFiles } from './deploy-files';
import { natsPermissions } from './permissions';

interface RenderedUser {
  user: string;
  password: string;
  permissions: { publish: { allow: string[] }; subscribe: { allow: string[] } };
}
const usersOf = (config: string) =>
  (JSON.parse(config) as { authorization: { users: RenderedUser[] } }).authorization.users;

describe('deploy files', () => {
  it('writes one user per service with its derived permissions, and env files with the same credentials', () => {
    const files = composeFiles('acme');
    const config = files.find((file) => file.name === 'nats-server.conf')!.content;
    const users = usersOf(config);
    expect(users.map((user) => user.user)).toEqual(SERVICE_NAMES.map((service) => `acme-polymux-${service}`));
    expect(users[0].permissions.publish.allow).toEqual(natsPermissions('ingress', 'acme').publish);
    const ingressEnv = files.find((file) => file.name === 'ingress.env')!.content;
    expect(ingressEnv).toBe(`NATS_USER=acme-polymux-ingress\nNATS_PASSWORD=${users[0].password}\n`);
    expect(new Set(users.map((user) => user.password)).size).toBe(SERVICE_NAMES.length);
    expect(JSON.parse(config)).toMatchObject({ port: 4222, http_port: 8222, jetstream: { store_dir: '/data' } });
  });

  it('keeps the passwords of earlier env files when regenerating', () => {
    const first = composeFiles();
    const envFiles = Object.fromEntries(
      first.filter((file) => file.name.endsWith('.env')).map((file) => [file.name.replace('.env', ''), file.content]),
    );
    const again = composeFiles('', passwordsFromEnvFiles(envFiles));
    expect(again).toEqual(first);
  });

  it('renders a Secret with the server configuration and one Secret per service for Kubernetes', () => {
    const documents = parseAllDocuments(kubernetesSecrets('', 'gateway')).map(
      (document) =>
        document.toJS() as { metadata: { name: string; namespace: string }; stringData: Record<string, string> },
    );
    expect(documents.map((document) => document.metadata.name)).toEqual([
      'polymux-nats-server',
      ...SERVICE_NAMES.map((service) => `polymux-nats-${service}`),
    ]);
    expect(documents.every((document) => document.metadata.namespace === 'gateway')).toBe(true);
    const users = usersOf(documents[0].stringData['nats-server.conf']);
    expect(documents.slice(1).map((document) => document.stringData)).toEqual(
      users.map(({ user, password }) => ({ NATS_USER: user, NATS_PASSWORD: password })),
    );
  });
});
