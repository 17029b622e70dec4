import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { Statements } from './statements.service';

/** Billing's statement subject, for control's admin API. */
@Controller()
export class StatementHandler {
  constructor(private readonly statements: Statements) {}

  @OnRequest(Subjects.statement)
  statement(@Payload() query: RequestOf<typeof Subjects.statement>): Promise<ResponseOf<typeof Subjects.statement>> {
    return this.statements.statement(query);
  }
}
