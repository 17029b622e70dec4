import { ConfigError, loadConfig } from './config';

describe('NATS credentials in the configuration', () => {
  it('passes NATS_USER and NATS_PASSWORD to the bus configuration', () => {
    const config = loadConfig('ingress', {}, { NATS_USER: 'polymux-ingress', NATS_PASSWORD: 'secret' });
    expect(config.bus).toMatchObject({ kind: 'nats', user: 'polymux-ingress', password: 'secret' });
  });

  it('connects without credentials when neither is set', () => {
    expect(loadConfig('ingress', {}, {}).bus).toMatchObject({ user: undefined, password: undefined });
  });

  it('refuses one without the other', () => {
    expect(() => loadConfig('ingress', {}, { NATS_USER: 'polymux-ingress' })).toThrow(ConfigError);
    expect(() => loadConfig('ingress', {}, { NATS_PASSWORD: 'secret' })).toThrow(/NATS_USER, NATS_PASSWORD/);
  });
});
