import type { CallTags } from '@polymux/contracts';
import { CallId, ErrorCode, Headers, MAX_TAGS, PolymuxException, parseTagList } from '@polymux/contracts';
import type { FastifyRequest } from 'fastify';

/**
 * What a caller labels a call with. Tags go to its usage row only (never spans, metrics or logs);
 * the session and parent request ids, opaque ids, also to its audit record and its ingress span.
 */
export interface CallLabels {
  tags: CallTags;
  sessionId?: string;
  parentRequestId?: string;
}

const invalid = (param: string, message: string) =>
  new PolymuxException(ErrorCode.InvalidRequest, `${param}: ${message}`, { param });

const headerOf = (headers: FastifyRequest['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** The `metadata` key whose value a caller that cannot set headers lists its tags in, as in `x-polymux-tags`. */
export const METADATA_TAGS_KEY = 'polymux_tags';

/**
 * The tags a body's `metadata` names under `polymux_tags` (`"team=search,env=prod"`). Its other pairs
 * are the caller's own data, which Polymux never records (a zero-retention project's `metadata` is
 * not even forwarded): only what the caller deliberately labels for attribution is kept.
 */
const metadataTags = (metadata: unknown): CallTags => {
  if (typeof metadata !== 'object' || metadata === null) return {};
  const listed = (metadata as Record<string, unknown>)[METADATA_TAGS_KEY];
  if (listed === undefined) return {};
  const param = `metadata.${METADATA_TAGS_KEY}`;
  if (typeof listed !== 'string') throw invalid(param, 'must be a string of key=value pairs separated by commas');
  const parsed = parseTagList(listed);
  if ('problem' in parsed) throw invalid(param, parsed.problem);
  return parsed.tags;
};

const callId = (headers: FastifyRequest['headers'], name: string): string | undefined => {
  const value = headerOf(headers, name);
  if (value === undefined) return undefined;
  const parsed = CallId.safeParse(value.trim());
  if (!parsed.success) throw invalid(name, parsed.error.issues[0]?.message ?? 'not a valid id');
  return parsed.data;
};

/**
 * The call's tags (the body's `metadata.polymux_tags`, then `x-polymux-tags`, whose value wins for
 * a key both name), session and parent request ids, validated before anything is planned or reserved: a bad
 * one is a 400 in the caller's format. Anthropic's `metadata` carries only `user_id`, no tags.
 */
export const callLabelsOf = (headers: FastifyRequest['headers'], metadata?: unknown): CallLabels => {
  const tags = metadataTags(metadata);
  const header = headerOf(headers, Headers.tags);
  if (header !== undefined && header.trim() !== '') {
    const parsed = parseTagList(header);
    if ('problem' in parsed) throw invalid(Headers.tags, parsed.problem);
    Object.assign(tags, parsed.tags);
  }
  if (Object.keys(tags).length > MAX_TAGS) throw invalid(Headers.tags, `at most ${MAX_TAGS} tags, metadata included`);
  const sessionId = callId(headers, Headers.sessionId);
  const parentRequestId = callId(headers, Headers.parentRequestId);
  return {
    tags,
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(parentRequestId === undefined ? {} : { parentRequestId }),
  };
};
