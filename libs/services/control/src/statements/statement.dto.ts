import { StatementMonth, TimeZone } from '@polymux/contracts';
import { z } from 'zod';

/**
 * `GET /admin/v1/orgs/:orgId/statement`: a period given as instants (`from` inclusive, `to`
 * exclusive, both required) or as a calendar month (`period=2026-11`, in `timezone`), never both.
 */
export const StatementParams = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    period: StatementMonth.optional(),
    timezone: TimeZone.default('UTC'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .superRefine((params, context) => {
    const instants = params.from !== undefined || params.to !== undefined;
    if (params.period !== undefined && instants) {
      context.addIssue({ code: 'custom', path: ['period'], message: 'give either period or from and to, not both' });
    } else if (params.period === undefined && !instants) {
      context.addIssue({ code: 'custom', path: ['from'], message: 'give from and to, or period' });
    } else if (instants) {
      for (const name of ['from', 'to'] as const)
        if (params[name] === undefined)
          context.addIssue({ code: 'custom', path: [name], message: `${name} is required with from or to` });
      if (params.from !== undefined && params.to !== undefined && !(Date.parse(params.from) < Date.parse(params.to)))
        context.addIssue({ code: 'custom', path: ['from'], message: 'from must be before to' });
    }
  });
export type StatementParams = z.infer<typeof StatementParams>;
