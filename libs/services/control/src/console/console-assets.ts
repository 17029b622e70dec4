import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** `dist/console` beside `dist/libs/...`: `npm run build`'s `vite build` writes it. */
export const CONSOLE_DIR = resolve(__dirname, '../../../../..', 'console');
const PREFIX = '/console';

const csp = (connect: string) =>
  `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; ` +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** An admin UI: its own scripts, styles and API only, never framed, no referrer sent anywhere. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': csp("'self'"),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), clipboard-write=(self)',
};

/**
 * The console's headers when the data plane is on another origin: the routing playground may then
 * call it too (`POST /v1/routing/explain`, which answers CORS), and nothing else.
 */
export const consoleHeaders = (dataPlane: string | null): Readonly<Record<string, string>> =>
  dataPlane ? { ...CONSOLE_HEADERS, 'content-security-policy': csp(`'self' ${dataPlane}`) } : CONSOLE_HEADERS;

/**
 * The data plane's origin as the console reaches it (as the console's `dataPlaneUrl` computes it):
 * `POLYMUX_PUBLIC_URL`'s; none in the embedded mode (the console's own); else the console's host on
 * `PORT`. Parsed as a URL, so a strange `Host` header can only yield an origin or nothing.
 */
export const dataPlaneOrigin = (
  config: Pick<PolymuxConfig, 'mode' | 'http'>,
  request: Pick<FastifyRequest, 'protocol' | 'host'>,
): string | null => {
  try {
    if (config.http.publicUrl) return new URL(config.http.publicUrl).origin;
    if (config.mode === 'embedded') return null;
    const url = new URL(`${request.protocol}://${request.host}`);
    url.port = String(config.http.port);
    return url.origin;
  } catch {
    return null;
  }
};

/** Hashed file names never change content: cached for a year; the rest (index.html) revalidated. */
const cacheControlOf = (file: string) =>
  file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';

const decoded = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // not a file name then: the page, whose router shows its own "not found"
  }
};

const filesIn = (dir: string): Set<string> =>
  new Set(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) =>
        join(entry.parentPath, entry.name)
          .slice(dir.length + 1)
          .replaceAll('\\', '/'),
      ),
  );

/**
 * Serves the console's static build at `/console` on control's HTTP server (both run modes):
 * its files as built (only those: no path is resolved from the URL), any other path under
 * `/console/` as `index.html` for the client's routes, and a plain 404 that says how to build it
 * when `dist/console` is missing.
 */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONFIG) private readonly config: Pick<PolymuxConfig, 'mode' | 'http'>,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) await this.register(fastify, CONSOLE_DIR);
  }

  async register(fastify: FastifyInstance, dir: string): Promise<void> {
    const files = existsSync(join(dir, 'index.html')) ? filesIn(dir) : undefined;
    if (files) {
      // Loaded only with a build to serve: it requires an ES module, which Jest's module system cannot.
      const { default: fastifyStatic } = await import('@fastify/static');
      void fastify.register(fastifyStatic, { root: dir, serve: false });
    } else this.logger.warn(`no console build at ${dir}: /console answers 404 (npm run build builds it)`);
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      void reply.headers(consoleHeaders(dataPlaneOrigin(this.config, request)));
      if (!files)
        return reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send('The console is not built: run `npm run build` (it builds dist/console), then restart.\n');
      const path = decoded(request.url.split('?')[0]!.slice(PREFIX.length + 1));
      const file = files.has(path) ? path : 'index.html';
      // A missing asset is a 404, not the page: a stale script must not be answered with HTML.
      if (file !== path && (path.startsWith('assets/') || /\.\w+$/.test(path)))
        return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
      return reply.header('cache-control', cacheControlOf(file)).sendFile(file, { cacheControl: false });
    };
    fastify.get(PREFIX, (_request, reply) => reply.redirect(`${PREFIX}/`));
    fastify.get(`${PREFIX}/*`, handler);
  }
}
