import { z } from 'zod';

import type { Env } from './config.schema';

/** A Polymux role an IdP group grants: org-wide (`team` null) or in the org's team of that name. */
export interface SsoGrant {
  role: string;
  team: string | null;
}

/** OIDC login for the admin API (docs/governance.md#sso); absent from the config when SSO is off. */
export interface SsoConfig {
  issuer: string;
  clientId: string;
  /** Absent: a public client, authenticated by PKCE alone. */
  clientSecret?: string;
  redirectUri: string;
  /** Where the IdP sends the browser after RP-initiated logout. */
  postLogoutRedirectUri?: string;
  scopes: string[];
  /** The claim naming the user's org, by id or name; a dotted path reaches into nested claims. */
  orgClaim: string;
  /** The claim listing the user's groups (or roles) at the IdP. */
  groupsClaim: string;
  /** Each IdP group and the Polymux roles it grants. */
  roleMap: Record<string, SsoGrant[]>;
  /** How long a session token is valid; a refresh issues the next one. */
  sessionTtlSeconds: number;
  /** How long after login sessions may be refreshed at all; then the user logs in again. */
  maxAgeSeconds: number;
  /** Development only: an issuer on plain http. */
  allowHttp: boolean;
}

const Grant = z.union([
  z.string().min(1),
  z.strictObject({ role: z.string().min(1), team: z.string().min(1).optional() }),
]);

/**
 * `POLYMUX_SSO_ROLE_MAP`: JSON mapping each IdP group to a grant or a list of grants; a grant is a
 * role name (`"owner"`) or a team role (`{"role": "team_admin", "team": "ml"}`). Which roles exist
 * is control's to check (roles.ts); here only the shape.
 */
export const RoleMapSchema = z
  .string()
  .transform((text, context): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      context.issues.push({
        code: 'custom',
        message: 'must be JSON: {"<group>": "<role>" | {...} | [...]}',
        input: text,
      });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1), z.union([Grant, z.array(Grant).min(1)])))
  .transform((map) =>
    Object.fromEntries(
      Object.entries(map).map(([group, grants]) => [
        group,
        (Array.isArray(grants) ? grants : [grants]).map((grant): SsoGrant =>
          typeof grant === 'string' ? { role: grant, team: null } : { role: grant.role, team: grant.team ?? null },
        ),
      ]),
    ),
  );

const REQUIRED = [
  'POLYMUX_SSO_ISSUER',
  'POLYMUX_SSO_CLIENT_ID',
  'POLYMUX_SSO_REDIRECT_URI',
  'POLYMUX_SSO_ROLE_MAP',
] as const;

/** The SSO settings, undefined when SSO is off, or the problems that keep them from loading. */
export const ssoConfigOf = (env: Env): { sso?: SsoConfig; problems: string[] } => {
  const missing = REQUIRED.filter((key) => env[key] === undefined);
  if (missing.length === REQUIRED.length) return { problems: [] };
  if (missing.length > 0) return { problems: [`${missing.join(', ')}: set with the other POLYMUX_SSO_* settings`] };
  const problems: string[] = [];
  if (new URL(env.POLYMUX_SSO_ISSUER!).protocol !== 'https:' && !env.POLYMUX_SSO_ALLOW_HTTP)
    problems.push('POLYMUX_SSO_ISSUER: must be https (POLYMUX_SSO_ALLOW_HTTP=true allows http, for development)');
  if (env.POLYMUX_SSO_SESSION_TTL_SECONDS > env.POLYMUX_SSO_MAX_AGE_SECONDS)
    problems.push('POLYMUX_SSO_SESSION_TTL_SECONDS: must not exceed POLYMUX_SSO_MAX_AGE_SECONDS');
  if (!env.POLYMUX_SSO_SCOPES.includes('openid')) problems.push('POLYMUX_SSO_SCOPES: must include openid');
  if (problems.length > 0) return { problems };
  return {
    problems,
    sso: {
      issuer: env.POLYMUX_SSO_ISSUER!,
      clientId: env.POLYMUX_SSO_CLIENT_ID!,
      ...(env.POLYMUX_SSO_CLIENT_SECRET === undefined ? {} : { clientSecret: env.POLYMUX_SSO_CLIENT_SECRET }),
      redirectUri: env.POLYMUX_SSO_REDIRECT_URI!,
      ...(env.POLYMUX_SSO_POST_LOGOUT_REDIRECT_URI === undefined
        ? {}
        : { postLogoutRedirectUri: env.POLYMUX_SSO_POST_LOGOUT_REDIRECT_URI }),
      scopes: env.POLYMUX_SSO_SCOPES,
      orgClaim: env.POLYMUX_SSO_ORG_CLAIM,
      groupsClaim: env.POLYMUX_SSO_GROUPS_CLAIM,
      roleMap: env.POLYMUX_SSO_ROLE_MAP!,
      sessionTtlSeconds: env.POLYMUX_SSO_SESSION_TTL_SECONDS,
      maxAgeSeconds: env.POLYMUX_SSO_MAX_AGE_SECONDS,
      allowHttp: env.POLYMUX_SSO_ALLOW_HTTP,
    },
  };
};
