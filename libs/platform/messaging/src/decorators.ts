import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { EventContract, RequestContract, ServiceName } from '@polymux/contracts';

/** Answers a request subject; replicas share it through a queue group named after the owner. */
export const OnRequest = (contract: RequestContract): MethodDecorator => MessagePattern(contract.subject);

export interface OnEventOptions {
  /**
   * Durable events only: the handler gets an array of up to this many validated payloads at once
   * (each acknowledged once the handler resolved), instead of one payload per call.
   */
  batch?: number;
  /** With `batch`: longest an event waits for its batch to fill (default 100 ms; against 20 ms it halved audit's and Postgres' CPU per call at 150 req/s). */
  maxWaitMs?: number;
}

/** What `@OnEvent` leaves on the handler for `BusTransport`. */
export interface EventHandlerExtras extends OnEventOptions {
  consumer: ServiceName;
}

/** Consumes an event; each consuming service gets every durable event once. */
export const OnEvent = (
  contract: EventContract,
  consumer: ServiceName,
  options: OnEventOptions = {},
): MethodDecorator => EventPattern(contract.subject, { consumer, ...options } satisfies EventHandlerExtras);
