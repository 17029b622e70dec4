export * from './address-allowlist';
export * from './anthropic-error-mapping';
export * from './error-mapping';
export * from './http-errors';
export * from './parse-body';
export * from './upstream-address';
