export * from './authenticated-server';
export * from './deploy-files';
export * from './local-server';
export * from './permissions';
export * from './server-config';
