import type { Me } from '../api/types';

/** Whether the principal holds a permission anywhere (the API still checks it on each object). */
export const can = (me: Me | undefined, permission: string): boolean =>
  !!me?.permissions.some((held) => held.permission === permission);

/** Whether it holds the permission only over its own objects (a developer's personal keys). */
export const ownOnly = (me: Me | undefined, permission: string): boolean => {
  const held = me?.permissions.filter((entry) => entry.permission === permission) ?? [];
  return held.length > 0 && held.every((entry) => entry.ownOnly);
};

/** How the shell names the principal: their name or email, or the operator. */
export const principalName = (me: Me): string =>
  me.operator ? 'Instance operator' : (me.user?.name ?? me.user?.email ?? 'Signed in');
