export * from './poll-until';
export * from './service-urls';
export * from './span-collector';
export * from './stack';
export * from './nats-cleanup';
export * from './scratch-database';
export * from './canonical.arbitraries';
export * from './adapter-calls';
