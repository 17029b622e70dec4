import { Injectable } from '@nestjs/common';
import type { ReferenceModel, UsageCalls, UsageFilters, UsageReport } from '@polymux/contracts';
import { ErrorCode, PolymuxException, Subjects } from '@polymux/contracts';
import { MessagingClient } from '@polymux/messaging';

import { ControlRepository } from '../control.repository';
import { isUuid } from '../control.service';
import type { UsageCallsParams, UsageReportParams } from './usage.dto';

type FilterParams = UsageCallsParams | UsageReportParams;

/** What is not one of billing's filters: the answer's format, and the report's own fields. */
const NOT_FILTERS = new Set(['orgId', 'format', 'groupBy', 'bucket', 'timezone', 'savings']);

/** The filters and page of a request, as billing's query takes them (undefined ones left out). */
const filtersOf = (orgId: string, params: FilterParams): UsageFilters & { limit: number; cursor?: string } => {
  const defined = Object.entries(params).filter(([name, value]) => value !== undefined && !NOT_FILTERS.has(name));
  return { ...(Object.fromEntries(defined) as Omit<UsageFilters, 'orgId'> & { limit: number }), orgId };
};

/**
 * Usage reports through the admin API: control checks the org exists, then billing, which owns the
 * usage rows (written with each call's charge), answers the query (`billing.usage.query.v1`).
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly tenancy: ControlRepository,
    private readonly messaging: MessagingClient,
  ) {}

  /**
   * With `savings`, a router names the reference (the strongest model, `CatalogView.reference`) and
   * billing prices the groups' calls on it too; `reference` is null when the catalog has none.
   */
  async report(params: UsageReportParams): Promise<UsageReport & { reference?: ReferenceModel | null }> {
    const orgId = await this.orgOf(params.orgId);
    const { groupBy, bucket, timezone } = params;
    const reference = params.savings ? (await this.messaging.request(Subjects.catalogView, {})).reference : undefined;
    const report = await this.messaging.request(Subjects.usageReport, {
      ...filtersOf(orgId, params),
      groupBy,
      ...(bucket === undefined ? {} : { bucket }),
      timezone,
      ...(reference ? { reference: { pricing: reference.pricing } } : {}),
    });
    return reference === undefined ? report : { ...report, reference };
  }

  async calls(params: UsageCallsParams): Promise<UsageCalls> {
    return this.messaging.request(Subjects.usageCalls, filtersOf(await this.orgOf(params.orgId), params));
  }

  private async orgOf(orgId: string): Promise<string> {
    const org = isUuid(orgId) ? await this.tenancy.findOrg(orgId) : undefined;
    if (!org) throw new PolymuxException(ErrorCode.NotFound, `org ${orgId} not found`, { param: 'orgId' });
    return org.id;
  }
}
