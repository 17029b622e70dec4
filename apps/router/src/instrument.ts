import { startTelemetry } from '@polymux/telemetry';

startTelemetry('router', { httpServer: false });
