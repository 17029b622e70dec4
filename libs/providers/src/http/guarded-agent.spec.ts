import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';

import { UpstreamAddressRefused, upstreamAddressPolicy } from '@polymux/http';
import type { Agent } from 'undici';

import { createGuardedAgent } from './guarded-agent';

const listen = async (handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> => {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
};

describe('createGuardedAgent', () => {
  let target: { server: Server; port: number };
  let redirector: { server: Server; port: number };
  let targetHits = 0;
  const agents: Agent[] = [];
  const agent = (cidrs: string[]) => {
    const created = createGuardedAgent(upstreamAddressPolicy(cidrs), { connectTimeoutMs: 2_000, bodyTimeoutMs: 2_000 });
    agents.push(created);
    return created;
  };

  beforeAll(async () => {
    target = await listen((_request, response) => {
      targetHits += 1;
      response.end('ok');
    });
    redirector = await listen((_request, response) => {
      response.writeHead(302, { location: `http://127.0.0.1:${target.port}/` }).end();
    });
  });

  afterAll(async () => {
    await Promise.all(agents.map((created) => created.close()));
    target.server.close();
    redirector.server.close();
  });

  it('connects to an allowed address', async () => {
    const response = await agent(['127.0.0.0/8']).request({
      origin: `http://127.0.0.1:${target.port}`,
      path: '/',
      method: 'GET',
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('ok');
  });

  it.each([
    ['an IP literal', '127.0.0.1'],
    ['a name resolving to loopback', 'localhost'],
  ])('refuses %s outside the allowed ranges before any byte is sent', async (_what, host) => {
    const before = targetHits;
    const failure = await agent([])
      .request({ origin: `http://${host}:${target.port}`, path: '/', method: 'GET' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(UpstreamAddressRefused);
    expect(targetHits).toBe(before);
  });

  it('does not follow a redirect', async () => {
    const before = targetHits;
    const response = await agent(['127.0.0.0/8']).request({
      origin: `http://127.0.0.1:${redirector.port}`,
      path: '/',
      method: 'GET',
    });
    expect(response.statusCode).toBe(302);
    await response.body.text();
    expect(targetHits).toBe(before);
  });
});
