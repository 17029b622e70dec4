import { startTelemetry } from '@polymux/telemetry';

startTelemetry('audit');
