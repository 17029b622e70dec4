import type { ConsoleConfig } from '../../api/types';

/** A minute either side: the span starts a little before the usage row's start and ends after its end. */
const MARGIN_MS = 60_000;

/**
 * Jaeger's search for the traces whose ingress span carries these tags (`polymux.request_id`,
 * `polymux.session_id`), in the calls' time range: the usage rows keep no trace id, and each call's
 * ingress span carries its request id and session id.
 */
export const jaegerSearch = (
  jaeger: NonNullable<ConsoleConfig['jaeger']>,
  tags: Record<string, string>,
  from: string,
  to: string,
): string => {
  const params = new URLSearchParams({
    service: jaeger.service,
    tags: JSON.stringify(tags),
    lookback: 'custom',
    // Jaeger's UI takes microseconds.
    start: String((Date.parse(from) - MARGIN_MS) * 1_000),
    end: String((Date.parse(to) + MARGIN_MS) * 1_000),
    limit: '20',
  });
  return `${jaeger.url}/search?${params.toString()}`;
};
