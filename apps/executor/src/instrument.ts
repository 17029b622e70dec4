import { startTelemetry } from '@polymux/telemetry';

startTelemetry('executor', { httpServer: false });
