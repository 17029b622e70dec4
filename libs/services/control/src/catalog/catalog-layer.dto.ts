import { z } from 'zod';

import { modelName as catalogId, name } from '../admin/admin.dto';

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
