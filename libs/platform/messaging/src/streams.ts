import type { ServiceName } from '@polymux/contracts';
import { DeadLetter, allContracts } from '@polymux/contracts';

import type { Bus } from './bus/bus';

/**
 * Creates or updates the JetStream streams the contracts declare, each holding exactly its
 * subjects: every stream when `service` is absent (one process hosting all), else only those the
 * service publishes to or consumes from, which is all its NATS permissions allow it to manage.
 * Services that consume durable events also provision the dead letters they may write.
 */
export const ensureStreams = async (bus: Bus, service?: ServiceName): Promise<void> => {
  const streams = new Map<string, string[]>();
  const used = new Set<string>();
  for (const contract of allContracts) {
    if (contract.kind !== 'event' || !contract.stream) continue;
    streams.set(contract.stream, [...(streams.get(contract.stream) ?? []), contract.subject]);
    if (!service || contract.publishers.includes(service) || contract.consumers.includes(service))
      used.add(contract.stream);
    if (!service || contract.consumers.includes(service)) used.add(DeadLetter.stream);
  }
  streams.set(DeadLetter.stream, [DeadLetter.subjects]);
  for (const [name, subjects] of streams) if (used.has(name)) await bus.ensureStream(name, subjects);
};
