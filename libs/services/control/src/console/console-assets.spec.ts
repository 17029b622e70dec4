import type { HttpAdapterHost } from '@nestjs/core';
import Fastify from 'fastify';

import { CONSOLE_HEADERS, ConsoleAssets } from './console-assets';

describe('ConsoleAssets without a console build', () => {
  it('answers /console with a 404 that says how to build it, and the console headers', async () => {
    const fastify = Fastify();
    await new ConsoleAssets({} as HttpAdapterHost).register(fastify, '/nonexistent/console');
    const page = await fastify.inject({ method: 'GET', url: '/console/api-keys' });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('npm run build');
    expect(page.headers['content-security-policy']).toBe(CONSOLE_HEADERS['content-security-policy']);
    const root = await fastify.inject({ method: 'GET', url: '/console' });
    expect([root.statusCode, root.headers.location]).toEqual([302, '/console/']);
    await fastify.close();
  });
});
