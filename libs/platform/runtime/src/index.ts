export * from './run-service';
export * from './migrate-only';
