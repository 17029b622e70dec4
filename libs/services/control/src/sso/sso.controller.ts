import { Body, Controller, Get, HttpCode, Inject, Post, Redirect, Req, Res, UseFilters } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { OpenAiErrorFilter, parseBody } from '@polymux/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { bearerTokenOf } from '../access/admin-auth.guard';
import { ApiContract } from '../openapi/api-contract';
import { LogoutSession, RefreshSession } from './sso.dto';
import { SsoService } from './sso.service';
import { sessionView } from './sso.views';

/** Binds a login to the browser that started it: a callback from any other (login CSRF) is refused. */
const LOGIN_COOKIE = 'polymux_sso_login';
const COOKIE_PATH = '/admin/v1/sso';

const cookieOf = (request: FastifyRequest, name: string): string | undefined => {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
};

/**
 * SSO for the admin API: `login` redirects to the IdP (PKCE, state, nonce), `callback` answers the
 * session, `refresh` rotates it, `logout` revokes it. Tokens never appear in a URL.
 */
@Controller('admin/v1/sso')
@UseFilters(OpenAiErrorFilter)
export class SsoController {
  constructor(
    private readonly sso: SsoService,
    @Inject(CONFIG) private readonly config: PolymuxConfig,
  ) {}

  private cookie(value: string, maxAgeSeconds: number): string {
    const secure = this.config.sso?.redirectUri.startsWith('https:') ? '; Secure' : '';
    return `${LOGIN_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
  }

  @Get('login')
  @Redirect()
  @ApiContract({ summary: 'Start an SSO login: redirects to the identity provider' })
  async login(@Res({ passthrough: true }) reply: FastifyReply) {
    const { url, browserSecret } = await this.sso.start();
    void reply.header('set-cookie', this.cookie(browserSecret, 600)).header('cache-control', 'no-store');
    return { url, statusCode: 302 };
  }

  @Get('callback')
  @ApiContract({ summary: 'Finish an SSO login: answers the session' })
  async callback(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('set-cookie', this.cookie('', 0)).header('cache-control', 'no-store');
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    return sessionView(await this.sso.callback(query, cookieOf(request, LOGIN_COOKIE), request.ip ?? null));
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiContract({ summary: 'Rotate an SSO session', body: RefreshSession })
  async refresh(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('cache-control', 'no-store');
    return sessionView(await this.sso.refresh(parseBody(RefreshSession, body).refreshToken));
  }

  @Post('logout')
  @HttpCode(200)
  @ApiContract({ summary: 'Revoke an SSO session', body: LogoutSession })
  async logout(@Req() request: FastifyRequest, @Body() body: unknown) {
    const token =
      bearerTokenOf(request) ?? (body === undefined ? undefined : parseBody(LogoutSession, body).refreshToken);
    if (!token)
      throw new PolymuxException(
        ErrorCode.Unauthenticated,
        'send the session token (Authorization: Bearer) or {"refreshToken": ...}',
      );
    return { revoked: true, ...(await this.sso.logout(token, request.ip ?? null)) };
  }
}
