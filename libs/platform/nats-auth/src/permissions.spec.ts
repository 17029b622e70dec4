import { NatsNames, SERVICE_NAMES, Subjects, allContracts } from '@polymux/contracts';

import { natsPermissions } from './permissions';

const PREFIX = 'tenant-a';
const table = new Map(SERVICE_NAMES.map((service) => [service, natsPermissions(service, PREFIX)]));
const publishers = (subject: string) =>
  SERVICE_NAMES.filter((service) => table.get(service)!.publish.includes(subject));
const subscribers = (subject: string) =>
  SERVICE_NAMES.filter((service) => table.get(service)!.subscribe.includes(subject));

describe('natsPermissions', () => {
  it('lets exactly the declared callers send each request and only its owner answer it', () => {
    for (const contract of allContracts) {
      if (contract.kind !== 'request') continue;
      const subject = NatsNames.subject(PREFIX, contract.subject);
      expect({ subject, publishers: publishers(subject).sort(), subscribers: subscribers(subject) }).toEqual({
        subject,
        publishers: [...contract.callers].sort(),
        subscribers: [contract.owner],
      });
    }
  });

  it('lets exactly the declared publishers emit each event and, for core-NATS events, the consumers receive it', () => {
    for (const contract of allContracts) {
      if (contract.kind !== 'event') continue;
      const subject = NatsNames.subject(PREFIX, contract.subject);
      expect(publishers(subject).sort()).toEqual([...contract.publishers].sort());
      expect(subscribers(subject)).toEqual(contract.delivery === 'durable' ? [] : [...contract.consumers]);
    }
  });

  it('gives no service a wildcard beyond its own inbox and its callers’ inboxes, nor an unprefixed subject', () => {
    for (const [service, { publish, subscribe }] of table) {
      for (const entry of [...publish, ...subscribe]) {
        expect(entry).not.toMatch(/^(>|\*|_INBOX\.>|\$JS\.API\.>|\$JS\.>)$/);
        if (!entry.startsWith('$JS.') && !entry.startsWith('_INBOX.'))
          expect(entry.startsWith(`${PREFIX}.`)).toBe(true);
      }
      expect(subscribe.filter((entry) => entry.startsWith('_INBOX.') && !entry.includes('.cancel.'))).toEqual([
        `${NatsNames.inboxPrefix(PREFIX, service)}.>`,
      ]);
    }
  });

  it('scopes JetStream to the streams and the one durable consumer a service uses', () => {
    const usage = NatsNames.stream(PREFIX, 'USAGE');
    const consumer = NatsNames.consumer('billing', Subjects.usageRecorded.subject);
    expect(table.get('billing')!.publish).toEqual(
      expect.arrayContaining([`$JS.API.CONSUMER.MSG.NEXT.${usage}.${consumer}`, `$JS.ACK.${usage}.${consumer}.>`]),
    );
    expect(table.get('ingress')!.publish.filter((entry) => entry.includes('CONSUMER'))).toEqual([]);
    expect(table.get('classifier')!.publish.filter((entry) => entry.startsWith('$JS.'))).toEqual(['$JS.API.INFO']);
    for (const { publish } of table.values()) expect(publish.some((entry) => /DELETE|PURGE/.test(entry))).toBe(false);
  });

  it('lets the executor hear cancels only on its callers’ inboxes, and the caller send them', () => {
    const cancel = `${NatsNames.inboxPrefix(PREFIX, 'ingress')}.cancel.>`;
    expect(subscribers(cancel)).toEqual(['executor']);
    expect(publishers(cancel)).toContain('ingress');
  });
});
