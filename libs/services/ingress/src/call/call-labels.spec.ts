import { ErrorCode, PolymuxException, parseTagList } from '@polymux/contracts';

import { callLabelsOf } from './call-labels';

const refusal = (run: () => unknown): PolymuxException => {
  try {
    run();
  } catch (error) {
    if (error instanceof PolymuxException) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('parseTagList', () => {
  it('reads comma-separated key=value pairs, spaces around them ignored', () => {
    expect(parseTagList('team=search, env=prod ,feature=weekly report')).toEqual({
      tags: { team: 'search', env: 'prod', feature: 'weekly report' },
    });
  });

  it.each([
    ['team', 'is not a key=value pair'],
    ['=x', 'is not a key=value pair'],
    ['team=', 'a tag value is'],
    ['te am=x', 'a tag key is'],
    ['team=a"b', 'a tag value is'],
    ['team==x', 'a tag value is'],
    ['team=-1+1', 'starting with a letter, digit or _'],
    ['team=a,team=b', 'named twice'],
    [`${'k'.repeat(65)}=v`, 'a tag key is'],
    [`k=${'v'.repeat(257)}`, 'a tag value is'],
    [Array.from({ length: 17 }, (_, index) => `k${index}=v`).join(','), 'at most 16 tags'],
  ])('refuses %s', (text, problem) => {
    const parsed = parseTagList(text);
    expect('problem' in parsed && parsed.problem).toEqual(expect.stringContaining(problem));
  });

  it('accepts 16 tags of the longest key and value', () => {
    const text = Array.from({ length: 16 }, (_, index) => `${String(index).padEnd(64, 'k')}=${'v'.repeat(256)}`);
    const parsed = parseTagList(text.join(','));
    expect('tags' in parsed && Object.keys(parsed.tags)).toHaveLength(16);
  });
});

describe('callLabelsOf', () => {
  it('merges the body metadata’s polymux_tags and the header, the header winning a key both name', () => {
    const labels = callLabelsOf(
      {
        'x-polymux-tags': 'env=prod,team=search',
        'x-polymux-session-id': 'sess_1',
        'x-polymux-parent-request-id': 'req_0',
      },
      { polymux_tags: 'env=dev, feature=summary', note: 'the caller’s own data, never recorded' },
    );
    expect(labels).toEqual({
      tags: { env: 'prod', team: 'search', feature: 'summary' },
      sessionId: 'sess_1',
      parentRequestId: 'req_0',
    });
  });

  it('is empty for a call without labels', () => {
    expect(callLabelsOf({})).toEqual({ tags: {} });
  });

  it('refuses a bad header tag as an invalid request naming the header', () => {
    const error = refusal(() => callLabelsOf({ 'x-polymux-tags': 'env=prod\nx' }));
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.details.param).toBe('x-polymux-tags');
    expect(error.message).toContain('x-polymux-tags: tag "env"');
  });

  it('records no other metadata pair, and refuses a polymux_tags that is not a tag list, naming it', () => {
    expect(callLabelsOf({}, { 'bad key': 'x', feature: 'summary' })).toEqual({ tags: {} });
    const error = refusal(() => callLabelsOf({}, { polymux_tags: 'bad key=x' }));
    expect(error.details.param).toBe('metadata.polymux_tags');
    expect(refusal(() => callLabelsOf({}, { polymux_tags: 7 })).details.param).toBe('metadata.polymux_tags');
  });

  it('refuses more than 16 tags from the header and metadata together', () => {
    const metadata = { polymux_tags: Array.from({ length: 10 }, (_, index) => `m${index}=v`).join(',') };
    const header = Array.from({ length: 7 }, (_, index) => `h${index}=v`).join(',');
    expect(refusal(() => callLabelsOf({ 'x-polymux-tags': header }, metadata)).message).toContain('metadata included');
  });

  it.each([
    ['x-polymux-session-id', 'has space'],
    ['x-polymux-session-id', 's'.repeat(129)],
    ['x-polymux-parent-request-id', 'a,b'],
  ])('refuses a bad %s', (header, value) => {
    expect(refusal(() => callLabelsOf({ [header]: value })).details.param).toBe(header);
  });
});
