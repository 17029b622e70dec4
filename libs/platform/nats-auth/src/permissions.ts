import type { EventContract, RequestContract, ServiceName } from '@polymux/contracts';
import { DeadLetter, NatsNames, allContracts } from '@polymux/contracts';

/** What one service may publish and subscribe to; each entry is a NATS subject or wildcard. */
export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
}

/** The JetStream API subjects a service needs to provision `stream` (`ensureStreams` at start). */
const streamManagement = (stream: string) =>
  ['INFO', 'CREATE', 'UPDATE'].map((action) => `$JS.API.STREAM.${action}.${stream}`);

/**
 * Pull consumption through durable `consumer` of `stream`: create or look it up (both server API
 * generations), pull batches, acknowledge, and the max-deliveries advisory plus message lookup a
 * consumer needs to dead-letter a message that keeps failing.
 */
const pullConsumer = (stream: string, consumer: string): NatsPermissions => ({
  publish: [
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${consumer}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${consumer}`,
    `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
    `$JS.ACK.${stream}.${consumer}.>`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
  ],
  subscribe: [`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`],
});

const requestPermissions = (contract: RequestContract, service: ServiceName, prefix: string): NatsPermissions => {
  const granted: NatsPermissions = { publish: [], subscribe: [] };
  const subject = NatsNames.subject(prefix, contract.subject);
  if (contract.callers.includes(service)) {
    granted.publish.push(subject);
    // A streamed call that stops early tells the responder on `<own inbox>.cancel.<connection>.<call>`.
    if (contract.streaming) granted.publish.push(`${NatsNames.inboxPrefix(prefix, service)}.cancel.>`);
    // A message over NATS's max_payload travels in pieces: the caller fetches a large reply from,
    // and serves a large request's pieces to, inboxes of the responder.
    granted.publish.push(`${NatsNames.inboxPrefix(prefix, contract.owner)}.>`);
  }
  if (contract.owner === service) {
    granted.subscribe.push(subject);
    for (const caller of contract.callers) {
      const inbox = NatsNames.inboxPrefix(prefix, caller);
      granted.publish.push(`${inbox}.>`);
      if (contract.streaming) granted.subscribe.push(`${inbox}.cancel.>`);
    }
  }
  return granted;
};

const eventPermissions = (contract: EventContract, service: ServiceName, prefix: string): NatsPermissions => {
  const granted: NatsPermissions = { publish: [], subscribe: [] };
  const publishes = contract.publishers.includes(service);
  const consumes = contract.consumers.includes(service);
  if (publishes) granted.publish.push(NatsNames.subject(prefix, contract.subject));
  if (contract.delivery !== 'durable') {
    if (consumes) granted.subscribe.push(NatsNames.subject(prefix, contract.subject));
    return granted;
  }
  if (!contract.stream || (!publishes && !consumes)) return granted;
  const stream = NatsNames.stream(prefix, contract.stream);
  granted.publish.push(...streamManagement(stream));
  if (consumes) {
    const consumer = pullConsumer(stream, NatsNames.consumer(service, contract.subject));
    granted.publish.push(
      ...consumer.publish,
      NatsNames.subject(prefix, DeadLetter.subject(contract.subject)),
      ...streamManagement(NatsNames.stream(prefix, DeadLetter.stream)),
    );
    granted.subscribe.push(...consumer.subscribe);
  }
  return granted;
};

/**
 * The NATS permissions of `service`, derived from the subject map: the requests it calls or
 * answers, the events it publishes or consumes, its own inboxes and the JetStream API for its
 * streams and consumers, all inside the `NATS_SUBJECT_PREFIX` namespace. Nothing else is allowed.
 */
export const natsPermissions = (service: ServiceName, prefix = ''): NatsPermissions => {
  const granted: NatsPermissions = {
    // Every connection checks JetStream is enabled; replies, acks and pulled messages reach its inboxes.
    publish: ['$JS.API.INFO'],
    subscribe: [`${NatsNames.inboxPrefix(prefix, service)}.>`],
  };
  for (const contract of allContracts) {
    const part =
      contract.kind === 'request'
        ? requestPermissions(contract, service, prefix)
        : eventPermissions(contract, service, prefix);
    granted.publish.push(...part.publish);
    granted.subscribe.push(...part.subscribe);
  }
  return { publish: [...new Set(granted.publish)], subscribe: [...new Set(granted.subscribe)] };
};
