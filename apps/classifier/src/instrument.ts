import { startTelemetry } from '@polymux/telemetry';

startTelemetry('classifier', { httpServer: false });
