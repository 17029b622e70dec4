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

/** Where the principal holds a permission: the whole organisation (`all`), or these teams only. */
export const placesOf = (me: Me | undefined, permission: string): { all: boolean; teams: ReadonlySet<string> } => {
  const held = me?.permissions.filter((entry) => entry.permission === permission && !entry.ownOnly) ?? [];
  return {
    all: held.some((entry) => entry.teamId === null),
    teams: new Set(held.flatMap((entry) => (entry.teamId === null ? [] : [entry.teamId]))),
  };
};

/** Whether it holds the permission on an object of this team (null: of no team). */
export const canIn = (me: Me | undefined, permission: string, teamId: string | null): boolean => {
  const places = placesOf(me, permission);
  return places.all || (teamId !== null && places.teams.has(teamId));
};

/** Only an owner (org-wide) or the operator gives or takes the `owner` role. */
export const mayTouchOwner = (me: Me | undefined): boolean =>
  !!me && (me.operator || me.roles.some((grant) => grant.role === 'owner' && grant.teamId === null));
