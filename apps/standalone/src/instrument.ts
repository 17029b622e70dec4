import { startTelemetry } from '@polymux/telemetry';

startTelemetry('standalone', { httpServer: true });
