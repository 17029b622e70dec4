import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { BusContext, OnRequest } from '@polymux/messaging';

import { CreditOperations } from './credit-operations.service';
import { CreditsService } from './credits.service';
import { ReservationsService } from './reservations.service';

type Reserve = typeof Subjects.reserve;
type Release = typeof Subjects.release;
type TopUp = typeof Subjects.topUp;
type Grant = typeof Subjects.grant;
type Refund = typeof Subjects.refund;
type Adjust = typeof Subjects.adjust;
type GetBalance = typeof Subjects.balance;
type Ledger = typeof Subjects.ledger;

/** Billing's request/reply subjects. */
@Controller()
export class BillingHandler {
  constructor(
    private readonly reservations: ReservationsService,
    private readonly credits: CreditsService,
    private readonly operations: CreditOperations,
  ) {}

  @OnRequest(Subjects.reserve)
  reserve(@Payload() request: RequestOf<Reserve>, @Ctx() context: BusContext): Promise<ResponseOf<Reserve>> {
    return this.reservations.reserve(request, context.requestId);
  }

  @OnRequest(Subjects.release)
  async release(@Payload() request: RequestOf<Release>): Promise<ResponseOf<Release>> {
    return { released: await this.reservations.release(request) };
  }

  @OnRequest(Subjects.topUp)
  topUp(@Payload() request: RequestOf<TopUp>, @Ctx() context: BusContext): Promise<ResponseOf<TopUp>> {
    return this.credits.topUp(request, context.requestId);
  }

  @OnRequest(Subjects.grant)
  grant(@Payload() request: RequestOf<Grant>): Promise<ResponseOf<Grant>> {
    return this.operations.grant(request);
  }

  @OnRequest(Subjects.refund)
  refund(@Payload() request: RequestOf<Refund>): Promise<ResponseOf<Refund>> {
    return this.operations.refund(request);
  }

  @OnRequest(Subjects.adjust)
  adjust(@Payload() request: RequestOf<Adjust>): Promise<ResponseOf<Adjust>> {
    return this.operations.adjust(request);
  }

  @OnRequest(Subjects.balance)
  balance(@Payload() request: RequestOf<GetBalance>): Promise<ResponseOf<GetBalance>> {
    return this.reservations.balance(request.accountId);
  }

  @OnRequest(Subjects.ledger)
  async ledger(@Payload() request: RequestOf<Ledger>): Promise<ResponseOf<Ledger>> {
    return { entries: await this.credits.entries(request) };
  }
}
