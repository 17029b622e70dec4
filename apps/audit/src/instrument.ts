import { startTelemetry } from '@polymux/telemetry';

startTelemetry('audit', { httpServer: false });
