import { join } from 'node:path';

import { declaredAdminRoutes } from './support/admin-routes';
import type { Gateway } from './support/gateway';
import { MODES, startGateway } from './support/gateway';

jest.setTimeout(180_000);

/*
 * The admin API's surface through HTTP: the OpenAPI 3.1 document control serves (structure checked
 * here by hand: no OpenAPI validator is installed), covering every route the controllers declare
 * with its permission; and cursor pagination of the lists, walked page by page.
 */

type Json = Record<string, unknown>;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Every `$ref` in the document, so each can be checked to resolve. */
const refsIn = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
};

const resolve = (document: Json, ref: string): unknown =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], document);

describe.each(MODES)('admin API surface (%s mode)', (mode) => {
  let gateway: Gateway;

  const get = (path: string, key: string | null = gateway.adminKey) =>
    fetch(`${gateway.stack.controlUrl}/admin/v1${path}`, {
      headers: key === null ? {} : { authorization: `Bearer ${key}` },
    });

  /** Every row of a list, read page by page; the pages' sizes on the way. */
  const walk = async (path: string, limit: number) => {
    const rows: { id: string }[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const query: string = `${separator}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = await gateway.admin<{ data: { id: string }[]; nextCursor: string | null }>('GET', path + query);
      rows.push(...page.data);
      sizes.push(page.data.length);
      cursor = page.nextCursor;
    } while (cursor !== null && sizes.length < 50);
    return { ids: rows.map((row) => row.id), sizes };
  };

  beforeAll(async () => {
    gateway = await startGateway({ mode, label: 'adminapi', catalogFile: join(__dirname, 'catalog.yaml') });
  });
  afterAll(() => gateway?.stop());

  describe('GET /admin/v1/openapi.json', () => {
    let document: Json;
    let operations: { method: string; path: string; operation: Json }[];

    beforeAll(async () => {
      const response = await get('/openapi.json', null);
      expect(response.status).toBe(200);
      document = (await response.json()) as Json;
      operations = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
        Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
      );
    });

    it('is an OpenAPI 3.1 document with a bearer scheme and the OpenAI error shape', () => {
      expect(document.openapi).toMatch(/^3\.1\.\d+$/);
      expect(document.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(document.info).toEqual(
        expect.objectContaining({ title: expect.any(String), version: expect.any(String) }),
      );
      expect(resolve(document, '#/components/securitySchemes/bearer')).toEqual(
        expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      );
      const error = resolve(document, '#/components/schemas/Error') as Json;
      expect(Object.keys((error.properties as Record<string, Json>).error!.properties as Json).sort()).toEqual([
        'code',
        'message',
        'param',
        'type',
      ]);
      for (const ref of refsIn(document))
        expect({ ref, found: resolve(document, ref) !== undefined }).toEqual({ ref, found: true });
      for (const name of Object.keys((document.components as Json).schemas as Json))
        expect(name).toMatch(/^[a-zA-Z0-9.\-_]+$/);
    });

    it('describes each operation validly: unique ids, path parameters, responses, security', () => {
      const ids = operations.map(({ operation }) => operation.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { method, path, operation } of operations) {
        expect(METHODS.has(method)).toBe(true);
        expect(path).toMatch(/^\/admin\/v1\//);
        const parameters = operation.parameters as { name: string; in: string; required: boolean; schema: Json }[];
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
        expect(parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(inPath);
        for (const parameter of parameters) {
          expect(['path', 'query', 'header', 'cookie']).toContain(parameter.in);
          expect(typeof parameter.schema).toBe('object');
          if (parameter.in === 'path') expect(parameter.required).toBe(true);
        }
        const responses = operation.responses as Record<string, Json>;
        expect(Object.keys(responses).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(responses)) {
          expect(status).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
          expect(typeof response.description === 'string' || typeof response.$ref === 'string').toBe(true);
        }
        expect(responses['4XX']).toEqual({ $ref: '#/components/responses/Error' });
        expect(Array.isArray(operation.security)).toBe(true);
      }
    });

    it('covers every declared admin route, each with a summary and its permission', () => {
      const byRoute = new Map(
        operations.map(({ method, path, operation }) => [`${method.toUpperCase()} ${path}`, operation]),
      );
      const declared = declaredAdminRoutes();
      expect(declared.length).toBeGreaterThan(50);
      for (const route of declared) {
        const operation = byRoute.get(route.replace(/:(\w+)/g, '{$1}'));
        expect({ route, summary: operation?.summary }).toEqual({ route, summary: expect.any(String) });
        expect(operation?.security).toEqual([{ bearer: [] }]);
        expect(operation).toHaveProperty('x-polymux-permission');
      }
      expect(byRoute.get('POST /admin/v1/orgs')?.['x-polymux-permission']).toBe('org.manage');
      expect(byRoute.get('GET /admin/v1/me')?.['x-polymux-permission']).toBeNull();
      expect(byRoute.get('POST /admin/v1/sso/refresh')?.security).toEqual([]);
      expect(byRoute.get('POST /admin/v1/invitations/accept')?.security).toEqual([]);
    });

    it('carries the zod DTOs as JSON Schema: bodies, query parameters, paged answers', () => {
      const keys = (document.paths as Record<string, Record<string, Json>>)['/admin/v1/projects/{projectId}/keys']!;
      const body = ((keys.post!.requestBody as Json).content as Record<string, { schema: Json }>)['application/json']!
        .schema;
      expect(body.type).toBe('object');
      expect(body.required).toEqual(['name']);
      expect(Object.keys(body.properties as Json)).toEqual(expect.arrayContaining(['name', 'rpm', 'expiresAt']));
      const query = (keys.get!.parameters as { name: string; in: string }[]).filter((p) => p.in === 'query');
      expect(query.map((p) => p.name).sort()).toEqual(['cursor', 'limit', 'status', 'userId']);
      const ok = ((keys.get!.responses as Record<string, Json>)['200']!.content as Record<string, { schema: Json }>)[
        'application/json'
      ]!.schema;
      expect(ok.required).toEqual(['data', 'nextCursor']);
    });
  });

  describe('pagination', () => {
    it('walks the projects of an org page by page: none repeated, none missing, in creation order', async () => {
      const team = await gateway.admin<{ id: string }>('POST', `/orgs/${gateway.orgId}/teams`, { name: 'paged' });
      for (let index = 0; index < 7; index++) {
        await gateway.admin('POST', `/orgs/${gateway.orgId}/projects`, {
          name: `paged ${index}`,
          ...(index % 2 === 0 ? { teamId: team.id } : {}),
        });
      }
      const all = await gateway.admin<{ data: { id: string }[]; nextCursor: null }>(
        'GET',
        `/orgs/${gateway.orgId}/projects`,
      );
      expect(all.data).toHaveLength(8);
      expect(all.nextCursor).toBeNull();
      const { ids, sizes } = await walk(`/orgs/${gateway.orgId}/projects`, 3);
      expect(sizes).toEqual([3, 3, 2]);
      expect(ids).toEqual(all.data.map((project) => project.id));

      const teams = await walk(`/orgs/${gateway.orgId}/projects?teamId=${team.id}`, 3);
      expect(teams.sizes).toEqual([3, 1]);
      expect(new Set(teams.ids).size).toBe(4);
    });

    it('walks the keys of a project and filters them by state', async () => {
      const created: string[] = [];
      for (let index = 0; index < 6; index++) {
        created.push(
          (await gateway.admin<{ id: string }>('POST', `/projects/${gateway.projectId}/keys`, { name: `k${index}` }))
            .id,
        );
      }
      const { ids, sizes } = await walk(`/projects/${gateway.projectId}/keys`, 2);
      expect(sizes).toEqual([2, 2, 2, 1]);
      expect(new Set(ids).size).toBe(7);
      expect(ids.slice(1)).toEqual(created);

      await gateway.admin('DELETE', `/keys/${created[2]}`);
      expect((await walk(`/projects/${gateway.projectId}/keys?status=revoked`, 2)).ids).toEqual([created[2]]);
      expect((await walk(`/projects/${gateway.projectId}/keys?status=active`, 2)).ids).toHaveLength(6);
    });

    it('pages the instance-wide lists the same way', async () => {
      const orgs = await walk('/orgs', 1);
      expect(new Set(orgs.ids).size).toBe(orgs.ids.length);
      expect(orgs.ids).toContain(gateway.orgId);
      const models = await walk('/models', 1);
      expect(new Set(models.ids).size).toBe(models.ids.length);
    });

    it('refuses a bad cursor or limit with a 400 in the OpenAI shape', async () => {
      const keysPage = await gateway.admin<{ nextCursor: string }>(
        'GET',
        `/projects/${gateway.projectId}/keys?limit=1`,
      );
      const cases = [
        [`/projects/${gateway.projectId}/keys?cursor=not-a-cursor`, 'cursor'],
        [`/orgs/${gateway.orgId}/projects?cursor=${keysPage.nextCursor}`, 'cursor'],
        [
          `/orgs/${gateway.orgId}/teams?cursor=${Buffer.from('{"l":"teams","a":"x","i":"y"}').toString('base64url')}`,
          'cursor',
        ],
        [
          `/orgs?cursor=${Buffer.from('{"l":"orgs","a":"2024-01-01T00:00:00.000Z","i":"nope"}').toString('base64url')}`,
          'cursor',
        ],
        [`/webhooks?orgId=${gateway.orgId}&cursor=%00`, 'cursor'],
        [`/models?limit=0`, 'limit'],
        [`/projects/${gateway.projectId}/keys?status=lost`, 'status'],
      ] as const;
      for (const [path, param] of cases) {
        const response = await get(path);
        const body = (await response.json()) as { error: { param: string; type: string; message: string } };
        expect({ path, status: response.status, param: body.error.param }).toEqual({ path, status: 400, param });
        expect(body.error.type).toBe('invalid_request_error');
      }
    });
  });
});
