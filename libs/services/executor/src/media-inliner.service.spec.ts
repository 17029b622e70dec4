import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';

import { Catalog, CatalogFileSchema, CatalogSource } from '@polymux/catalog';
import { loadConfig } from '@polymux/config';
import type { ChatRequest, ChatResponse } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import { MemoryBus, MessagingClient } from '@polymux/messaging';
import type { ProviderAdapter, ProviderCall } from '@polymux/providers';
import { lastValueFrom, toArray } from 'rxjs';

import { CredentialStore } from './credential.store';
import { DeploymentResolver } from './deployment-resolver.service';
import { InvokeService } from './invoke.service';
import { MediaInliner } from './media-inliner.service';
import { OutcomeReporter } from './outcome-reporter.service';
import { UpstreamGuard } from './upstream-guard.service';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const PDF = Buffer.from('%PDF-1.7 a small document');
const MAX_BYTES = 1_000;

const catalog = new Catalog(
  CatalogFileSchema.parse({
    models: [
      {
        id: 'vision',
        contextWindow: 1000,
        maxOutputTokens: 100,
        capabilities: { vision: true },
        deployments: [
          {
            id: 'dep',
            provider: 'no-urls',
            baseUrl: 'http://upstream.test/v1',
            upstreamModel: 'm',
            pricing: { input: '1', output: '1' },
          },
        ],
      },
    ],
    auto: { default: ['vision'] },
  }),
);

/** An adapter like Gemini's or Bedrock's: it cannot fetch URLs, and records what it was sent. */
const adapter = (fetchesMediaUrls: boolean) => {
  const calls: ProviderCall[] = [];
  const fake: ProviderAdapter = {
    provider: 'no-urls',
    fetchesMediaUrls,
    complete: async (call) => {
      calls.push(call);
      return {
        id: 'r',
        model: 'm',
        created: 1,
        choices: [{ index: 0, content: 'ok', finishReason: 'stop' }],
        usage: null,
      } as ChatResponse;
    },
    stream: async function* () {},
    close: async () => undefined,
  };
  return { fake, calls };
};

const executor = (fake: ProviderAdapter, env: Record<string, string> = {}) => {
  const config = loadConfig(
    'executor',
    { POLYMUX_MEDIA_MAX_BYTES: String(MAX_BYTES), POLYMUX_MEDIA_FETCH_TIMEOUT_MS: '3000', ...env },
    {},
  );
  const guard = new UpstreamGuard(config);
  const resolver = new DeploymentResolver(
    new CatalogSource(catalog),
    new CredentialStore(new MessagingClient(new MemoryBus()), config),
    config,
  );
  return {
    service: new InvokeService(
      [fake],
      resolver,
      guard,
      new MediaInliner(guard, config),
      new OutcomeReporter(new MessagingClient(new MemoryBus())),
    ),
    guard,
  };
};

const withParts = (...parts: ChatRequest['messages'][number]['content']): ChatRequest => ({
  model: 'vision',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, ...parts] }],
  stream: false,
});

const run = (service: InvokeService, request: ChatRequest) =>
  lastValueFrom(service.invoke({ deploymentId: 'dep', request }, new AbortController().signal).pipe(toArray()));

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as PolymuxException,
  );

describe('media URL inlining', () => {
  let server: Server;
  let base: string;
  const fetched: string[] = [];
  const guards: UpstreamGuard[] = [];
  const loopback = { POLYMUX_UPSTREAM_ALLOWED_CIDRS: '127.0.0.0/8' };

  const make = (fetches: boolean, env: Record<string, string> = loopback) => {
    const { fake, calls } = adapter(fetches);
    const { service, guard } = executor(fake, env);
    guards.push(guard);
    return { service, calls };
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      fetched.push(request.url ?? '');
      if (request.url === '/cat.png') response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else if (request.url === '/doc.pdf') response.writeHead(200, { 'content-type': 'application/pdf' }).end(PDF);
      else if (request.url === '/big.png')
        response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(MAX_BYTES + 1));
      else if (request.url === '/chunked.png') {
        response.writeHead(200, { 'content-type': 'image/png' });
        for (let i = 0; i < 5; i++) response.write(Buffer.alloc(MAX_BYTES / 2));
        response.end();
      } else if (request.url === '/page.html') response.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      else if (request.url === '/moved.png') response.writeHead(302, { location: `${base}/cat.png` }).end();
      else if (request.url === '/slow.png') setTimeout(() => response.end(PNG), 10_000).unref();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(guards.map((guard) => guard.onApplicationShutdown()));
    server.closeAllConnections();
    server.close();
  });

  it('replaces image and document URLs with inline data for an adapter that cannot fetch them', async () => {
    const { service, calls } = make(false);
    await run(
      service,
      withParts(
        { type: 'image', url: `${base}/cat.png`, detail: 'high' },
        { type: 'document', url: `${base}/doc.pdf`, mediaType: 'application/pdf', title: 'Doc' },
        { type: 'image', url: `data:image/png;base64,${PNG.toString('base64')}` },
      ),
    );
    expect(calls[0]!.request.messages[0]!.content).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image', url: `data:image/png;base64,${PNG.toString('base64')}`, detail: 'high' },
      {
        type: 'document',
        url: `data:application/pdf;base64,${PDF.toString('base64')}`,
        mediaType: 'application/pdf',
        title: 'Doc',
      },
      { type: 'image', url: `data:image/png;base64,${PNG.toString('base64')}` },
    ]);
  });

  it('fetches again every time (no cache)', async () => {
    const { service } = make(false);
    const before = fetched.filter((url) => url === '/cat.png').length;
    await run(service, withParts({ type: 'image', url: `${base}/cat.png` }));
    await run(service, withParts({ type: 'image', url: `${base}/cat.png` }));
    expect(fetched.filter((url) => url === '/cat.png').length).toBe(before + 2);
  });

  it('leaves URLs alone for an adapter that fetches them', async () => {
    const { service, calls } = make(true);
    const before = fetched.length;
    await run(service, withParts({ type: 'image', url: `${base}/cat.png` }));
    expect(calls[0]!.request.messages[0]!.content[1]).toEqual({ type: 'image', url: `${base}/cat.png` });
    expect(fetched.length).toBe(before);
  });

  it.each([
    ['too large by its length', '/big.png', /larger than 1000 bytes/],
    ['too large while streaming', '/chunked.png', /larger than 1000 bytes/],
    ['not an image', '/page.html', /did not answer an image/],
    ['missing', '/missing.png', /could not be fetched \(HTTP 404\)/],
    ['a redirect', '/moved.png', /redirect, which is not followed/],
    ['too slow', '/slow.png', /not fetched within 3000 ms/],
  ])('refuses an image URL that is %s, as InvalidRequest naming the part', async (_what, path, message) => {
    const { service, calls } = make(false);
    const error = await failure(run(service, withParts({ type: 'image', url: `${base}${path}` })));
    expect(error).toBeInstanceOf(PolymuxException);
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.details.param).toBe('messages[0].content[1]');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(base);
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['loopback, not allowed by this config', 'http://127.0.0.1:9/x.png', {}],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data', loopback],
    ['the IPv6 metadata address', 'http://[fd00:ec2::254]/latest', loopback],
    ['a private address', 'http://10.0.0.1/x.png', loopback],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:9/x.png', {}],
    ['a name resolving to loopback', 'http://localhost:9/x.png', {}],
  ])('refuses a URL pointing at %s before connecting', async (_what, url, env) => {
    const { service, calls } = make(false, env);
    const error = await failure(run(service, withParts({ type: 'image', url })));
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.message).toMatch(/points at an address that may not be fetched/);
    expect(calls).toHaveLength(0);
  });
});
