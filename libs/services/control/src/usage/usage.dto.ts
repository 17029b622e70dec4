import {
  CallApi,
  CallId,
  CallTask,
  TimeZone,
  UsageBucket,
  UsageDimension,
  parseTagList,
  type CallTags,
  type UsageDimension as Dimension,
} from '@polymux/contracts';
import { z } from 'zod';

/** An id or name a filter matches: printable ASCII without spaces. */
const value = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** `tags=env=prod,team=search`: the `x-polymux-tags` syntax; rows must carry every one. */
const tags = z
  .string()
  .max(8192)
  .transform((text, context): CallTags => {
    const parsed = parseTagList(text);
    if ('tags' in parsed) return parsed.tags;
    context.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });

/** `groupBy=model,tag:env`: comma-separated dimensions, each once. */
const groupBy = z
  .string()
  .max(1024)
  .transform((text, context): Dimension[] => {
    const names = text === '' ? [] : text.split(',').map((name) => name.trim());
    const dimensions: Dimension[] = [];
    for (const name of names) {
      const parsed = UsageDimension.safeParse(name);
      if (!parsed.success) {
        context.addIssue({
          code: 'custom',
          message: `"${name.slice(0, 80)}" is not one of org, team, project, key, user, model, provider, deployment, task, api, session, tag:<key>`,
        });
        return z.NEVER;
      }
      if (dimensions.includes(parsed.data)) {
        context.addIssue({ code: 'custom', message: `${name} is named twice` });
        return z.NEVER;
      }
      dimensions.push(parsed.data);
    }
    if (dimensions.length > 8) context.addIssue({ code: 'custom', message: 'at most 8 dimensions' });
    return dimensions;
  });

const Filters = {
  orgId: z.string().min(1).max(64),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  teamId: value.optional(),
  projectId: value.optional(),
  keyId: value.optional(),
  userId: value.optional(),
  model: value.optional(),
  provider: value.optional(),
  deploymentId: value.optional(),
  task: CallTask.optional(),
  api: CallApi.optional(),
  sessionId: CallId.optional(),
  parentRequestId: CallId.optional(),
  tags: tags.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(4096).optional(),
  format: z.enum(['json', 'csv']).default('json'),
};

const orderedRange = (params: { from?: string; to?: string }) =>
  params.from === undefined || params.to === undefined || Date.parse(params.from) < Date.parse(params.to);
const RANGE = { message: 'from must be before to', path: ['from'] };

/** `GET /admin/v1/usage`: spend and usage of one org, grouped by dimensions and by hour or day. */
export const UsageReportParams = z
  .strictObject({
    ...Filters,
    groupBy: groupBy.default([]),
    bucket: UsageBucket.optional(),
    timezone: TimeZone.default('UTC'),
    /** `true`: each group also priced on the strongest model, and the saving from routing. */
    savings: z
      .enum(['true', 'false'])
      .default('false')
      .transform((flag) => flag === 'true'),
  })
  .refine(orderedRange, RANGE);
export type UsageReportParams = z.infer<typeof UsageReportParams>;

/** `GET /admin/v1/usage/calls`: one org's usage rows, newest first. */
export const UsageCallsParams = z.strictObject(Filters).refine(orderedRange, RANGE);
export type UsageCallsParams = z.infer<typeof UsageCallsParams>;
