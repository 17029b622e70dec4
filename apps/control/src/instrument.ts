import { startTelemetry } from '@polymux/telemetry';

startTelemetry('control', { httpServer: true });
