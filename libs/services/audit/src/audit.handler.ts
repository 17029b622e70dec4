import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { PayloadOf, RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnEvent, OnRequest } from '@polymux/messaging';

import { AuditService } from './audit.service';
import { callRecordOf } from './call-record';

/** Events stored per batch: at most one transaction per chain each (19 parameters a record, far below 65,535). */
export const AUDIT_BATCH = 256;

/** Consumes audit facts and charged calls' usage durably, in batches, and answers queries over them. */
@Controller()
export class AuditHandler {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(Subjects.auditRecorded, 'audit', { batch: AUDIT_BATCH })
  onAuditRecorded(@Payload() events: Array<PayloadOf<typeof Subjects.auditRecorded>>): Promise<void> {
    return this.audit.recordAll(events);
  }

  /** A charged call's audit record comes from its usage event: ingress publishes one durable event per call. */
  @OnEvent(Subjects.usageRecorded, 'audit', { batch: AUDIT_BATCH })
  onUsageRecorded(@Payload() usages: Array<PayloadOf<typeof Subjects.usageRecorded>>): Promise<void> {
    return this.audit.recordAll(usages.map(callRecordOf));
  }

  @OnRequest(Subjects.auditQuery)
  query(@Payload() query: RequestOf<typeof Subjects.auditQuery>): Promise<ResponseOf<typeof Subjects.auditQuery>> {
    return this.audit.query(query);
  }

  @OnRequest(Subjects.auditVerify)
  verify(@Payload() request: RequestOf<typeof Subjects.auditVerify>): Promise<ResponseOf<typeof Subjects.auditVerify>> {
    return this.audit.verify(request);
  }
}
