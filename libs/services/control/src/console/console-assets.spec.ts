import type { HttpAdapterHost } from '@nestjs/core';
import Fastify from 'fastify';

import { CONSOLE_HEADERS, ConsoleAssets, consoleHeaders, dataPlaneOrigin } from './console-assets';

const EMBEDDED = { mode: 'embedded', http: { port: 8080 } } as const;
const DISTRIBUTED = { mode: 'distributed', http: { port: 8080 } } as const;

describe('ConsoleAssets without a console build', () => {
  it('answers /console with a 404 that says how to build it, and the console headers', async () => {
    const fastify = Fastify();
    await new ConsoleAssets({} as HttpAdapterHost, EMBEDDED as never).register(fastify, '/nonexistent/console');
    const page = await fastify.inject({ method: 'GET', url: '/console/api-keys' });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('npm run build');
    expect(page.headers['content-security-policy']).toBe(CONSOLE_HEADERS['content-security-policy']);
    const root = await fastify.inject({ method: 'GET', url: '/console' });
    expect([root.statusCode, root.headers.location]).toEqual([302, '/console/']);
    await fastify.close();
  });
});

describe('the console on another origin than the data plane', () => {
  const request = { protocol: 'https', host: 'polymux.example.com:8081' } as const;

  it('lets the console reach the data plane where it computes it, and nowhere else', () => {
    expect(dataPlaneOrigin(EMBEDDED as never, request)).toBeNull();
    expect(dataPlaneOrigin(DISTRIBUTED as never, request)).toBe('https://polymux.example.com:8080');
    expect(dataPlaneOrigin({ ...DISTRIBUTED, http: { port: 443 } } as never, request)).toBe(
      'https://polymux.example.com',
    );
    const publicUrl = { ...DISTRIBUTED, http: { port: 8080, publicUrl: 'https://ai.example.com/base' } };
    expect(dataPlaneOrigin(publicUrl as never, request)).toBe('https://ai.example.com');
    expect(dataPlaneOrigin(DISTRIBUTED as never, { protocol: 'http', host: 'bad host; script-src *' })).toBeNull();
  });

  it("adds that origin to the CSP's connect-src only", () => {
    expect(consoleHeaders(null)).toBe(CONSOLE_HEADERS);
    const csp = consoleHeaders('https://polymux.example.com:8080')['content-security-policy'];
    expect(csp).toContain("connect-src 'self' https://polymux.example.com:8080;");
    expect(csp).toContain("script-src 'self';");
  });

  it('serves the distributed console with its data plane in connect-src', async () => {
    const fastify = Fastify();
    await new ConsoleAssets({} as HttpAdapterHost, DISTRIBUTED as never).register(fastify, '/nonexistent/console');
    const page = await fastify.inject({ method: 'GET', url: '/console/', headers: { host: '127.0.0.1:8081' } });
    expect(page.headers['content-security-policy']).toContain("connect-src 'self' http://127.0.0.1:8080;");
    await fastify.close();
  });
});
