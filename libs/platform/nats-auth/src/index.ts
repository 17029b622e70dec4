export * from './authenticated-server';
export * from './local-server';
export * from './permissions';
export * from './server-config';
