import { useSyncExternalStore } from 'react';

import type { KeyWithSecret } from '../api/types';

/** A key created in this tab, with its secret: what the routing playground can call with. */
export interface CreatedKey {
  id: string;
  name: string;
  projectId: string;
  secret: string;
}

const listeners = new Set<() => void>();
let keys: readonly CreatedKey[] = [];

/**
 * The keys created in this tab (Get started, API keys), in memory only: never in any storage, gone
 * on reload, and forgotten on sign-out. Their secrets are shown once on creation; this lets the
 * routing playground use one without the person pasting it back.
 */
export const createdKeys = {
  get: (): readonly CreatedKey[] => keys,
  add(created: KeyWithSecret): void {
    const key = { id: created.id, name: created.name, projectId: created.projectId, secret: created.key };
    keys = [key, ...keys.filter((known) => known.id !== key.id)];
    for (const listener of listeners) listener();
  },
  clear(): void {
    keys = [];
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export const useCreatedKeys = (): readonly CreatedKey[] => useSyncExternalStore(createdKeys.subscribe, createdKeys.get);
