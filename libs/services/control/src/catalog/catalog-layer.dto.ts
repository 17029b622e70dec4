import { z } from 'zod';

/** No control characters (Postgres refuses NUL in text; newlines would forge log lines). */
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
/** Model and deployment ids as the catalog spells them: printable ASCII without spaces. */
const catalogId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const CreateCredential = z.object({ name, value: z.string().min(1).max(65_536) });
export const UpdateCredential = z
  .object({ name: name.optional(), value: z.string().min(1).max(65_536).optional() })
  .refine((body) => body.name !== undefined || body.value !== undefined, 'name or value is required');

/**
 * A deployment as the catalog file spells one (`id`, `provider`, `baseUrl`, `upstreamModel`,
 * `pricing`, `credentialRef`, `headers`, `settings`, …) plus the `model` it serves; the fields
 * beyond these are checked by the catalog itself (a router merges the changed layer first).
 */
export const CreateDeployment = z.object({ model: catalogId, id: catalogId, baseUrl: z.string() }).catchall(z.json());
export const UpdateDeployment = z
  .object({ model: catalogId.optional(), id: catalogId.optional(), baseUrl: z.string().optional() })
  .catchall(z.json());
/** A model as the catalog file spells one, without `deployments` (they are added as deployments). */
export const CreateModel = z.object({ id: catalogId, deployments: z.never().optional() }).catchall(z.json());
export const UpdateModel = z.object({ id: catalogId.optional(), deployments: z.never().optional() }).catchall(z.json());
