import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { EventContract, RequestContract, ServiceName } from '@polymux/contracts';

/** Answers a request subject; replicas share it through a queue group named after the owner. */
export const OnRequest = (contract: RequestContract): MethodDecorator => MessagePattern(contract.subject);

/** Consumes an event; each consuming service gets every durable event once. */
export const OnEvent = (contract: EventContract, consumer: ServiceName): MethodDecorator =>
  EventPattern(contract.subject, { consumer });
