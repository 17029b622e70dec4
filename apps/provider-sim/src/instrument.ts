import { startTelemetry } from '@polymux/telemetry';

startTelemetry('provider-sim');
