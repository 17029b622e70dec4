import type { z } from 'zod';

/** The service that answers or consumes a subject; queue groups and durable consumers are named after it. */
export const SERVICE_NAMES = ['ingress', 'classifier', 'router', 'executor', 'billing', 'audit', 'control'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export const isServiceName = (name: string): name is ServiceName => (SERVICE_NAMES as readonly string[]).includes(name);

/** A request/reply step of a call. */
export interface RequestContract<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly kind: 'request';
  readonly subject: string;
  readonly owner: ServiceName;
  readonly request: Req;
  readonly response: Res;
  /** Replies arrive as a sequence of frames on the caller's inbox. */
  readonly streaming: boolean;
  /**
   * Streaming: whether a frame is the last one (the responder sends nothing after it). It then
   * travels as the stream's end, so no separate end message follows and the caller, done, sends no
   * cancel: one message instead of three for a one-frame answer.
   */
  readonly lastFrame?: (frame: z.infer<Res>) => boolean;
  /** The services that send this request; NATS permissions are derived from it (`@polymux/nats-auth`). */
  readonly callers: readonly ServiceName[];
}

/**
 * A fact. `durable` events go through JetStream with the request id as message id and are
 * consumed once per consuming service; `broadcast` events reach every replica of every subscriber;
 * `queue` events go over core NATS (never persisted, lost when no replica listens) to one replica
 * of each consuming service, in a queue group named after it.
 */
export interface EventContract<Payload extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly subject: string;
  readonly payload: Payload;
  readonly delivery: 'durable' | 'broadcast' | 'queue';
  /** JetStream stream holding a durable event. */
  readonly stream?: string;
  /** The services that emit this event and those that consume it; NATS permissions are derived from both. */
  readonly publishers: readonly ServiceName[];
  readonly consumers: readonly ServiceName[];
}

export type Contract = RequestContract | EventContract;
export type RequestOf<C extends RequestContract> = z.infer<C['request']>;
export type ResponseOf<C extends RequestContract> = z.infer<C['response']>;
export type PayloadOf<C extends EventContract> = z.infer<C['payload']>;

export const defineRequest = <Req extends z.ZodType, Res extends z.ZodType>(
  subject: string,
  owner: ServiceName,
  request: Req,
  response: Res,
  options: { callers: readonly ServiceName[]; streaming?: boolean; lastFrame?: (frame: z.infer<Res>) => boolean },
): RequestContract<Req, Res> => ({
  kind: 'request',
  subject,
  owner,
  request,
  response,
  streaming: options.streaming ?? false,
  ...(options.lastFrame ? { lastFrame: options.lastFrame } : {}),
  callers: options.callers,
});

export const defineEvent = <Payload extends z.ZodType>(
  subject: string,
  payload: Payload,
  options: Pick<EventContract, 'delivery' | 'stream' | 'publishers' | 'consumers'>,
): EventContract<Payload> => ({ kind: 'event', subject, payload, ...options });
