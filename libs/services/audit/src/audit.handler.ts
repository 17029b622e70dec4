import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf, RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent, OnRequest } from '@polymux/messaging';

import { AuditService } from './audit.service';

/** Consumes audit facts durably and answers queries over them. */
@Controller()
export class AuditHandler {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(Subjects.auditRecorded, 'audit')
  async onAuditRecorded(@Payload() event: PayloadOf<typeof Subjects.auditRecorded>): Promise<void> {
    await this.audit.record(event);
  }

  @OnRequest(Subjects.auditQuery)
  query(@Payload() query: RequestOf<typeof Subjects.auditQuery>): Promise<ResponseOf<typeof Subjects.auditQuery>> {
    return this.audit.query(query);
  }
}
