export * from './config';
export * from './config.module';
export type { Env } from './config.schema';
export * from './credential-cipher';
export type { SsoConfig, SsoGrant } from './sso-config';
