export * from './connection';
export * from './database.module';
export * from './migrate';
