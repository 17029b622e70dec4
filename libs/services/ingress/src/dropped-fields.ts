import type { Plan } from '@polymux/contracts';
import { dropUnsupportedFields, passthrough } from '@polymux/providers';

import type { Call } from './call/call.service';

/**
 * Keeps in the call's request only the fields every candidate's provider can carry: canonical fields
 * some candidate has no slot for or refuses in this request (`dropUnsupportedFields`: e.g. Anthropic
 * with thinking on refuses `temperature`) go, as do the extra fields not every
 * candidate accepts and, unless the key's project enables retention, any that ask a provider to keep
 * data. Decided here, once the plan names the candidates and before any is invoked, so that the names
 * are known for the response headers of streamed and non-streamed answers alike. Returns the dropped
 * names: canonical ones first, then extra ones in the order of the request.
 */
export const dropDisallowedFields = (call: Pick<Call, 'key' | 'request'>, plan: Pick<Plan, 'candidates'>): string[] => {
  const providers = plan.candidates.map((deployment) => deployment.provider);
  // Deployments, not providers: whether Anthropic thinks (and so refuses some sampling fields) depends on the output limit.
  const unsupported = dropUnsupportedFields(call.request, plan.candidates);
  const { extra, dropped } = passthrough(call.request.extra, providers, call.key.dataRetention === true);
  if (unsupported.dropped.length > 0) call.request = unsupported.request;
  if (dropped.length > 0) call.request = { ...call.request, extra };
  return [...unsupported.dropped, ...dropped];
};
