import type { ServiceName } from '@polymux/contracts';
import { Headers, NatsNames, Streams, Subjects } from '@polymux/contracts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NatsConnection } from 'nats';
import { AckPolicy, connect, createInbox, headers as natsHeaders } from 'nats';

import type { AuthenticatedNats } from './authenticated-server';
import { startAuthenticatedNats } from './authenticated-server';
import { composeFiles } from './deploy-files';
import { findNatsServer } from './local-server';

jest.setTimeout(30_000);

const PREFIX = `authz${process.pid}`;
const subject = (name: string) => NatsNames.subject(PREFIX, name);
const stream = (name: string) => NatsNames.stream(PREFIX, name);
const empty = new Uint8Array(0);

/** Resolves with the error code NATS gives a request on `name` (the reply's content when one arrives). */
const requestOutcome = (nc: NatsConnection, name: string, data = empty) =>
  nc.request(name, data, { timeout: 2_000 }).then(
    (reply) => `reply:${new TextDecoder().decode(reply.data)}`,
    (error: { code?: string }) => error.code,
  );

/** Resolves with the error code NATS gives a subscription on `name`, or `open` once it is live. */
const subscribeOutcome = async (nc: NatsConnection, name: string) => {
  const outcome = new Promise<string>((resolve) => {
    const sub = nc.subscribe(name, { callback: (error) => error && resolve(error.code) });
    void nc.flush().then(() => setImmediate(() => !sub.isClosed() && resolve('open')));
  });
  return outcome;
};

describe('NATS permissions derived from the subject map (own nats-server)', () => {
  let nats: AuthenticatedNats;
  const connections: NatsConnection[] = [];

  const connectAs = async (service: ServiceName) => {
    const { user, password } = nats.credentials.get(service)!;
    const nc = await connect({
      servers: nats.url,
      user,
      pass: password,
      inboxPrefix: NatsNames.inboxPrefix(PREFIX, service),
      maxReconnectAttempts: 0,
    });
    connections.push(nc);
    return nc;
  };

  /** A replica of `service` answering `name` in its queue group, counting what it received. */
  const answer = async (service: ServiceName, name: string, reply: string) => {
    const nc = await connectAs(service);
    const received: string[] = [];
    nc.subscribe(subject(name), {
      queue: service,
      callback: (_error, msg) => {
        received.push(msg.subject);
        msg.respond(new TextEncoder().encode(reply));
      },
    });
    await nc.flush();
    return received;
  };

  beforeAll(async () => {
    nats = await startAuthenticatedNats(PREFIX);
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    await nats?.stop();
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    const anonymous = connect({ servers: nats.url, maxReconnectAttempts: 0 });
    await expect(anonymous).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    const { user } = nats.credentials.get('ingress')!;
    const wrong = connect({ servers: nats.url, user, pass: 'not-the-password', maxReconnectAttempts: 0 });
    await expect(wrong).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it("lets ingress call the router's plan, the router billing's reserve (ingress not), and answers reach their inboxes", async () => {
    await answer('router', Subjects.plan.subject, 'plan');
    await answer('billing', Subjects.reserve.subject, 'reserved');
    const ingress = await connectAs('ingress');
    expect(await requestOutcome(ingress, subject(Subjects.plan.subject))).toBe('reply:plan');
    expect(await requestOutcome(ingress, subject(Subjects.reserve.subject))).toBe('PERMISSIONS_VIOLATION');
    const router = await connectAs('router');
    expect(await requestOutcome(router, subject(Subjects.reserve.subject))).toBe('reply:reserved');
  });

  it("refuses ingress billing's top-up, balance and ledger, and audit's query; the responder sees nothing", async () => {
    const billing = await answer('billing', Subjects.topUp.subject, 'credited');
    const ingress = await connectAs('ingress');
    for (const contract of [Subjects.topUp, Subjects.balance, Subjects.ledger, Subjects.auditQuery]) {
      expect(await requestOutcome(ingress, subject(contract.subject))).toBe('PERMISSIONS_VIOLATION');
    }
    expect(billing).toEqual([]);
    // The contract's caller is let through on the very same subject.
    const control = await connectAs('control');
    expect(await requestOutcome(control, subject(Subjects.topUp.subject))).toBe('reply:credited');
    expect(billing).toHaveLength(1);
  });

  it("refuses ingress control's subjects: answering key resolution, broadcasting a revocation, reading control's replies", async () => {
    const ingress = await connectAs('ingress');
    expect(await subscribeOutcome(ingress, subject(Subjects.resolveKey.subject))).toBe('PERMISSIONS_VIOLATION');
    expect(await requestOutcome(ingress, subject(Subjects.keyRevoked.subject))).toBe('PERMISSIONS_VIOLATION');
    const controlInbox = `${NatsNames.inboxPrefix(PREFIX, 'control')}.>`;
    expect(await subscribeOutcome(ingress, controlInbox)).toBe('PERMISSIONS_VIOLATION');
    expect(await subscribeOutcome(ingress, '_INBOX.>')).toBe('PERMISSIONS_VIOLATION');
    expect(await subscribeOutcome(ingress, '>')).toBe('PERMISSIONS_VIOLATION');
    // What ingress does consume: the revocation broadcast, which control may send.
    expect(await subscribeOutcome(ingress, subject(Subjects.keyRevoked.subject))).toBe('open');
    const control = await connectAs('control');
    expect(await subscribeOutcome(control, subject(Subjects.resolveKey.subject))).toBe('open');
  });

  it('keeps each service inside its namespace: no unprefixed subject, no other JetStream stream', async () => {
    const ingress = await connectAs('ingress');
    expect(await requestOutcome(ingress, Subjects.plan.subject)).toBe('PERMISSIONS_VIOLATION');
    const usage = stream(Streams.usage);
    for (const api of [`STREAM.DELETE.${usage}`, `STREAM.PURGE.${usage}`, `CONSUMER.CREATE.${usage}`, 'STREAM.LIST']) {
      expect(await requestOutcome(ingress, `$JS.API.${api}`)).toBe('PERMISSIONS_VIOLATION');
    }
    const classifier = await connectAs('classifier');
    expect(await requestOutcome(classifier, `$JS.API.STREAM.INFO.${usage}`)).toBe('PERMISSIONS_VIOLATION');
  });

  it('streams invoke frames to ingress and carries its cancel to the executor', async () => {
    const executor = await connectAs('executor');
    const cancelled = new Promise<string>((resolve) => {
      executor.subscribe(subject(Subjects.invoke.subject), {
        queue: 'executor',
        callback: (_error, msg) => {
          executor.subscribe(msg.headers!.get(Headers.cancel), {
            max: 1,
            callback: (error) => resolve(error ? error.code : 'cancelled'),
          });
          void executor.flush().then(() => {
            msg.respond(new TextEncoder().encode('frame-1'));
            msg.respond(new TextEncoder().encode('frame-2'));
          });
        },
      });
    });
    await executor.flush();
    const ingress = await connectAs('ingress');
    const inbox = createInbox(NatsNames.inboxPrefix(PREFIX, 'ingress'));
    const frames = ingress.subscribe(inbox, { max: 2 });
    const cancel = `${NatsNames.inboxPrefix(PREFIX, 'ingress')}.cancel.${inbox.slice(inbox.lastIndexOf('.') + 1)}.1`;
    const headers = natsHeaders();
    headers.set(Headers.cancel, cancel);
    ingress.publish(subject(Subjects.invoke.subject), empty, { reply: inbox, headers });
    const received: string[] = [];
    for await (const frame of frames) received.push(new TextDecoder().decode(frame.data));
    expect(received).toEqual(['frame-1', 'frame-2']);
    ingress.publish(cancel, empty);
    expect(await cancelled).toBe('cancelled');
  });

  it('carries usage through JetStream: ingress persists it, billing consumes it durably, ingress cannot read it', async () => {
    const ingress = await connectAs('ingress');
    const ingressJs = await ingress.jetstreamManager();
    const usage = stream(Streams.usage);
    await ingressJs.streams.add({ name: usage, subjects: [subject(Subjects.usageRecorded.subject)] });
    const ack = await ingress.jetstream().publish(subject(Subjects.usageRecorded.subject), empty, { msgID: 'req-1' });
    expect(ack).toMatchObject({ stream: usage, duplicate: false });
    await expect(
      ingressJs.consumers.add(usage, { durable_name: 'ingress-snoop', ack_policy: AckPolicy.Explicit }),
    ).rejects.toMatchObject({ code: 'PERMISSIONS_VIOLATION' });

    const billing = await connectAs('billing');
    const consumer = NatsNames.consumer('billing', Subjects.usageRecorded.subject);
    await (
      await billing.jetstreamManager()
    ).consumers.add(usage, {
      durable_name: consumer,
      ack_policy: AckPolicy.Explicit,
      filter_subject: subject(Subjects.usageRecorded.subject),
    });
    const messages = await (await billing.jetstream().consumers.get(usage, consumer)).consume({ max_messages: 8 });
    for await (const msg of messages) {
      expect(msg.headers?.get('Nats-Msg-Id')).toBe('req-1');
      await msg.ackAck();
      break;
    }
    const info = await (await billing.jetstreamManager()).consumers.info(usage, consumer);
    expect(info).toMatchObject({ num_ack_pending: 0, num_pending: 0, delivered: { stream_seq: 1 } });
  });

  it('writes a deployment configuration that nats-server accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'polymux-nats-config-'));
    try {
      const file = join(dir, 'nats-server.conf');
      writeFileSync(file, composeFiles(PREFIX).find((entry) => entry.name === 'nats-server.conf')!.content);
      const check = spawnSync(findNatsServer()!, ['-c', file, '-t'], { encoding: 'utf8' });
      expect({ status: check.status, valid: check.stderr.includes('is valid') }).toEqual({ status: 0, valid: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
