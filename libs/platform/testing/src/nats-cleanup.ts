import { connect } from 'nats';

/** Deletes the JetStream streams a test namespace (`NATS_SUBJECT_PREFIX`) created, so runs leave nothing behind. */
export const deleteNatsNamespace = async (natsUrl: string, prefix: string): Promise<void> => {
  const nats = await connect({ servers: natsUrl });
  try {
    const manager = await nats.jetstreamManager();
    for (const stream of await manager.streams.list().next()) {
      if (stream.config.subjects.every((subject) => subject.startsWith(`${prefix}.`)))
        await manager.streams.delete(stream.config.name);
    }
  } finally {
    await nats.close();
  }
};
