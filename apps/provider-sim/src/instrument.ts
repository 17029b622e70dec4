import { startTelemetry } from '@polymux/telemetry';

// The simulator stands in for an external provider, which is not part of Polymux's traces.
startTelemetry('provider-sim', { httpServer: false });
