import type { Plan } from '@polymux/contracts';
import { passthrough } from '@polymux/providers';

import type { Call } from './call/call.service';

/**
 * Keeps in the call's request only the extra fields that every candidate's provider accepts and,
 * unless the key's project enables retention, none that ask a provider to keep data. Decided here,
 * once the plan names the candidates and before any is invoked, so that the names are known for
 * the response headers of streamed and non-streamed answers alike. Returns the dropped names.
 */
export const dropDisallowedFields = (call: Pick<Call, 'key' | 'request'>, plan: Pick<Plan, 'candidates'>): string[] => {
  const providers = plan.candidates.map((deployment) => deployment.provider);
  const { extra, dropped } = passthrough(call.request.extra, providers, call.key.dataRetention === true);
  if (dropped.length > 0) call.request = { ...call.request, extra };
  return dropped;
};
