import { startTelemetry } from '@polymux/telemetry';

startTelemetry('billing', { httpServer: false });
