import { startTelemetry } from '@polymux/telemetry';

startTelemetry('standalone');
