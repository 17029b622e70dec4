import { z } from 'zod';

export const ListModelsRequest = z.object({
  /** Models the key may use; null means any. */
  allowedModels: z.array(z.string()).nullable(),
});
export const ModelList = z.object({
  models: z.array(z.object({ id: z.string(), ownedBy: z.string(), aliasOf: z.string().nullable() })),
});
export type ModelList = z.infer<typeof ModelList>;
