import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';
import { addressAllowed } from '@polymux/http';
import type { FastifyRequest } from 'fastify';

import { ControlService } from '../control.service';
import { SESSION_PREFIX, SsoSessionService } from '../sso/sso-session.service';
import { AccessService } from './access.service';
import type { Principal } from './principal';
import { REQUIRES } from './requires';
import type { Permission } from './roles';
import { holds } from './roles';

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
    private readonly reflector: Reflector,
    private readonly sessions: SsoSessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const token = bearerTokenOf(request);
    if (!token)
      throw new PolymuxException(ErrorCode.Unauthenticated, 'missing admin key: send Authorization: Bearer <key>');
    const principal = await this.principalOf(token, request.ip);
    const permission = this.reflector.get<Permission | null | undefined>(REQUIRES, context.getHandler());
    if (permission === undefined) throw new PolymuxException(ErrorCode.Forbidden, 'this endpoint names no permission');
    if (permission !== null && !principal.operator && !principal.roles.some((grant) => holds(grant.role, permission)))
      throw new PolymuxException(ErrorCode.Forbidden, `your roles do not allow ${permission}`);
    request.principal = principal;
    return true;
  }

  private async principalOf(token: string, address: string): Promise<Principal> {
    if (token.startsWith(SESSION_PREFIX)) {
      const principal = await this.access.forUser(await this.sessions.userOf(token), null);
      if (!principal) throw new PolymuxException(ErrorCode.Unauthenticated, 'the SSO session has no user any more');
      return principal;
    }
    const key = await this.control.resolveKey(hashApiKey(token));
    if (!key) throw new PolymuxException(ErrorCode.Unauthenticated, 'invalid admin key');
    // A key's IP allowlist holds on the admin API as on the model APIs.
    if (key.ipAllowlist && !addressAllowed(address, key.ipAllowlist))
      throw new PolymuxException(ErrorCode.AddressNotAllowed, `this key may not be used from ${address}`);
    if (key.admin && !key.userId) return { operator: true, keyId: key.id, userId: null, orgId: null, roles: [] };
    const principal = key.userId ? await this.access.forUser(key.userId, key.id) : null;
    if (!principal) throw new PolymuxException(ErrorCode.Forbidden, 'this key has no admin rights');
    return principal;
  }
}

/** The authenticated principal of an admin request (set by `AdminAuthGuard`). */
export const principalOf = (request: AdminRequest): Principal => {
  if (!request.principal) throw new PolymuxException(ErrorCode.Unauthenticated, 'not authenticated');
  return request.principal;
};
