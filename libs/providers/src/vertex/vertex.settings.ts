import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { z } from 'zod';

import type { ProviderCall } from '../provider-adapter';

/** The fields of a service-account JSON key the adapter reads. */
const ServiceAccountKey = z.looseObject({
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  private_key_id: z.string().optional(),
  /** Where the access token is asked for (Google's `https://oauth2.googleapis.com/token`). */
  token_uri: z.url().optional(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

/** A Vertex deployment's settings: where the model runs and whose credentials call it. */
export interface VertexSettings {
  project: string;
  location: string;
  serviceAccount: ServiceAccountKey;
}

const unavailable = (call: ProviderCall, problem: string) =>
  new PolymuxException(ErrorCode.ServiceUnavailable, `vertex deployment ${call.deployment.id}: ${problem}`);

const text = (call: ProviderCall, name: string): string => {
  const value = call.settings?.[name];
  if (typeof value !== 'string' || value.trim() === '') throw unavailable(call, `the setting ${name} is missing`);
  return value.trim();
};

/**
 * The deployment's `project`, `location` and `serviceAccount` (the JSON key, a resolved secret),
 * or a ServiceUnavailable naming what is missing or wrong (never the key itself), so that the
 * router falls back to the next deployment.
 */
export const vertexSettings = (call: ProviderCall): VertexSettings => {
  const project = text(call, 'project');
  const location = text(call, 'location');
  if (!/^[a-z0-9-]+$/.test(project) || !/^[a-z0-9-]+$/.test(location))
    throw unavailable(call, 'project and location must be Google resource ids (lower-case letters, digits, -)');
  const json = text(call, 'serviceAccount');
  let key: unknown;
  try {
    key = JSON.parse(json);
  } catch {
    throw unavailable(call, 'the setting serviceAccount is not JSON (a service-account JSON key)');
  }
  const parsed = ServiceAccountKey.safeParse(key);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.map(String).join('.') ?? '';
    throw unavailable(call, `the service-account key lacks a valid ${field || 'shape'}`);
  }
  return { project, location, serviceAccount: parsed.data };
};
