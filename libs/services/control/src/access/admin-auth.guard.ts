import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';
import type { FastifyRequest } from 'fastify';

import { ControlService } from '../control.service';
import { SESSION_PREFIX, SsoSessionService } from '../sso/sso-session.service';
import { AccessService } from './access.service';
import type { Principal } from './principal';

export type AdminRequest = FastifyRequest & { principal?: Principal };

/** The credential of an `Authorization: Bearer <token>` header. */
export const bearerTokenOf = (request: FastifyRequest): string | undefined =>
  /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim() || undefined;

/**
 * Admin endpoints take a bearer credential: an operator key (a service key with the `admin` flag:
 * the instance operator), a user's personal key or an SSO session token (that user, with their
 * roles). Each endpoint then checks the principal's permission on the object it touches
 * (`AccessService`).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly control: ControlService,
    private readonly access: AccessService,
    private readonly sessions: SsoSessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const token = bearerTokenOf(request);
    if (!token)
      throw new PolymuxException(ErrorCode.Unauthenticated, 'missing admin key: send Authorization: Bearer <key>');
    request.principal = await this.principalOf(token);
    return true;
  }

  private async principalOf(token: string): Promise<Principal> {
    if (token.startsWith(SESSION_PREFIX)) {
      const principal = await this.access.forUser(await this.sessions.userOf(token), null);
      if (!principal) throw new PolymuxException(ErrorCode.Unauthenticated, 'the SSO session has no user any more');
      return principal;
    }
    const key = await this.control.resolveKey(hashApiKey(token));
    if (!key) throw new PolymuxException(ErrorCode.Unauthenticated, 'invalid admin key');
    if (key.admin && !key.userId) return { operator: true, keyId: key.id, userId: null, orgId: null, roles: [] };
    const principal = key.userId ? await this.access.forUser(key.userId, key.id) : null;
    // Until every endpoint checks roles, users' keys stay out of the admin API.
    if (!principal || !principal.operator)
      throw new PolymuxException(ErrorCode.Forbidden, 'this key has no admin rights');
    return principal;
  }
}

/** The authenticated principal of an admin request (set by `AdminAuthGuard`). */
export const principalOf = (request: AdminRequest): Principal => {
  if (!request.principal) throw new PolymuxException(ErrorCode.Unauthenticated, 'not authenticated');
  return request.principal;
};
