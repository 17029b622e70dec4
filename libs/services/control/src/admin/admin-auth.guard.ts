import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import type { ApiKeyRecord } from '@polymux/contracts';
import { ErrorCode, PolymuxException, hashApiKey } from '@polymux/contracts';
import type { FastifyRequest } from 'fastify';

import { ControlService } from '../control.service';

export type AdminRequest = FastifyRequest & { adminKey?: ApiKeyRecord };

/** Admin endpoints take a bearer key with admin rights (roles and SSO come with governance). */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly control: ControlService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    if (!token)
      throw new PolymuxException(ErrorCode.Unauthenticated, 'missing admin key: send Authorization: Bearer <key>');
    const key = await this.control.resolveKey(hashApiKey(token));
    if (!key) throw new PolymuxException(ErrorCode.Unauthenticated, 'invalid admin key');
    if (!key.admin) throw new PolymuxException(ErrorCode.Forbidden, 'this key has no admin rights');
    request.adminKey = key;
    return true;
  }
}
