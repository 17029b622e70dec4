import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { RequestOf, ResponseOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { UsageReports } from './usage-reports.service';

/** Billing's usage report subjects, for control's admin API. */
@Controller()
export class UsageReportHandler {
  constructor(private readonly reports: UsageReports) {}

  @OnRequest(Subjects.usageReport)
  report(@Payload() query: RequestOf<typeof Subjects.usageReport>): Promise<ResponseOf<typeof Subjects.usageReport>> {
    return this.reports.report(query);
  }

  @OnRequest(Subjects.usageCalls)
  calls(@Payload() query: RequestOf<typeof Subjects.usageCalls>): Promise<ResponseOf<typeof Subjects.usageCalls>> {
    return this.reports.calls(query);
  }

  @OnRequest(Subjects.usageSession)
  session(
    @Payload() query: RequestOf<typeof Subjects.usageSession>,
  ): Promise<ResponseOf<typeof Subjects.usageSession>> {
    return this.reports.session(query);
  }
}
