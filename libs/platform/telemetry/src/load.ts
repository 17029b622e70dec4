/**
 * Loads a package on demand and synchronously (telemetry must be in place before the next import),
 * so a process loads only the exporter and instrumentation it uses.
 */
export const loadOnDemand = <T>(name: string): T =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point: a lazy, synchronous load
  require(name) as T;
