import { startTelemetry } from '@polymux/telemetry';

startTelemetry('ingress', { httpServer: true });
