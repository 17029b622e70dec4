import { DeadLetters, allContracts } from '@polymux/contracts';

import type { Bus } from './bus/bus';

/** Creates or updates every JetStream stream the contracts declare, each holding exactly its subjects, and the dead letters. */
export const ensureStreams = async (bus: Bus): Promise<void> => {
  const streams = new Map<string, string[]>();
  for (const contract of allContracts) {
    if (contract.kind !== 'event' || !contract.stream) continue;
    streams.set(contract.stream, [...(streams.get(contract.stream) ?? []), contract.subject]);
  }
  streams.set(DeadLetters.stream, [DeadLetters.subjects]);
  for (const [name, subjects] of streams) await bus.ensureStream(name, subjects);
};
