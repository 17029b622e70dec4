import type { FastifyReply } from 'fastify';
import { createPublicKey, createVerify, randomBytes } from 'node:crypto';

import type { SimHandler, SimRequest } from '../sim-route';
import { SIM_PRIVATE_KEY } from './sim-service-account';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const TOKEN_SECONDS = 3600;
/** Bounded memory of the tokens issued (they expire anyway). */
const MAX_TOKENS = 10_000;
/** What the token endpoint verifies assertions with: the simulator's test service account. */
const PUBLIC_KEY = createPublicKey(SIM_PRIVATE_KEY);

const oauthError = (reply: FastifyReply, error: string, description: string): FastifyReply =>
  reply.code(400).send({ error, error_description: description });

const decodeJson = (segment: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The simulated Google OAuth 2.0 token endpoint and the access tokens it issued. It checks what
 * Google checks of a service account's JWT-bearer grant: the grant type, an RS256 assertion signed
 * by the account's key (the simulator's test account), its `iss`, a scope and a live `exp`.
 */
export class SimTokens {
  private readonly issued = new Map<string, number>();

  /** `POST /oauth2/token` (form-encoded, as Google's). */
  readonly grant: SimHandler = (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== JWT_BEARER) return oauthError(reply, 'unsupported_grant_type', 'Invalid grant_type.');
    const assertion = typeof body.assertion === 'string' ? body.assertion.split('.') : [];
    if (assertion.length !== 3) return oauthError(reply, 'invalid_grant', 'Invalid JWT: not a signed JWT.');
    const [header, payload, signature] = assertion as [string, string, string];
    const claims = decodeJson(payload);
    if (decodeJson(header)?.alg !== 'RS256' || !claims)
      return oauthError(reply, 'invalid_grant', 'Invalid JWT: the assertion must be signed with RS256.');
    const valid = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(PUBLIC_KEY, Buffer.from(signature, 'base64url'));
    if (!valid) return oauthError(reply, 'invalid_grant', 'Invalid JWT Signature.');
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.iss !== 'string' || typeof claims.exp !== 'number' || claims.exp < now)
      return oauthError(
        reply,
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.',
      );
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(CLOUD_PLATFORM))
      return oauthError(reply, 'invalid_scope', `The scope ${CLOUD_PLATFORM} is required.`);
    if (this.issued.size >= MAX_TOKENS) this.issued.clear();
    const token = `ya29.sim-${randomBytes(18).toString('base64url')}`;
    this.issued.set(token, now + TOKEN_SECONDS);
    return reply.send({ access_token: token, expires_in: TOKEN_SECONDS, token_type: 'Bearer' });
  };

  /** Whether a request carries a live access token this endpoint issued. */
  authorized(request: SimRequest): boolean {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    const expiry = token === undefined ? undefined : this.issued.get(token);
    return expiry !== undefined && expiry > Math.floor(Date.now() / 1000);
  }
}
