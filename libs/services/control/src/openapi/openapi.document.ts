import 'reflect-metadata';

import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { z } from 'zod';

import { REQUIRES } from '../access/requires';
import { API_CONTRACT, type Contract } from './api-contract';

type JsonSchema = Record<string, unknown>;

/**
 * A zod DTO as JSON Schema 2020-12 (OpenAPI 3.1's dialect), as a client sends it. Its own
 * definitions (a recursive JSON value) move to `components.schemas` as `<name>.<def>`: a `#/$defs`
 * reference inside an operation would resolve against the document's root.
 */
const schemaOf = (schema: z.ZodType, name: string, components: Record<string, JsonSchema>): JsonSchema => {
  const { $defs, ...json }: JsonSchema = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    // A transform's or refinement's output has no JSON Schema; its input is still described.
    unrepresentable: 'any',
  });
  delete json.$schema; // the document's `jsonSchemaDialect` says it once
  const rewrite = (text: string) => text.replaceAll('"#/$defs/', `"#/components/schemas/${name}.`);
  for (const [def, value] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>))
    components[`${name}.${def}`] = JSON.parse(rewrite(JSON.stringify(value))) as JsonSchema;
  return JSON.parse(rewrite(JSON.stringify(json))) as JsonSchema;
};

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'param', 'code'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'], description: 'The offending field or parameter, when one is' },
        code: { type: ['string', 'null'] },
      },
    },
  },
};

const PAGE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['data', 'nextCursor'],
  properties: {
    data: { type: 'array', items: {} },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last' },
  },
};

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

interface Route {
  method: string;
  path: string;
  operation: JsonSchema;
}

const routesOf = (
  controller: object & { name: string; prototype: Record<string, unknown> },
  components: Record<string, JsonSchema>,
): Route[] => {
  const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
  if (prefix === undefined || !`${prefix}/`.startsWith('admin/v1/')) return [];
  const guarded = ((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[]).length > 0;
  const tag = controller.name.replace(/Controller$/, '');
  return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
    const handler = controller.prototype[name];
    if (name === 'constructor' || typeof handler !== 'function' || !Reflect.hasMetadata(METHOD_METADATA, handler))
      return [];
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase();
    const path = `/${[prefix, Reflect.getMetadata(PATH_METADATA, handler) as string].filter(Boolean).join('/')}`;
    const contract = Reflect.getMetadata(API_CONTRACT, handler) as Contract | undefined;
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === 'post' ? 201 : 200);
    const pathParameters = [...path.matchAll(/:(\w+)/g)].map(([, param]) => ({
      name: param,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const operationId = `${tag}_${name}`;
    const query = contract?.query ? schemaOf(contract.query, `${operationId}.query`, components) : undefined;
    const queryProperties = (query?.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((query?.required ?? []) as string[]);
    const queryParameters = Object.entries(queryProperties).map(([param, schema]) => ({
      name: param,
      in: 'query',
      required: required.has(param),
      schema,
    }));
    const paged = 'cursor' in queryProperties;
    const operation: JsonSchema = {
      operationId,
      tags: [tag],
      ...(contract ? { summary: contract.summary } : {}),
      ...(guarded ? { 'x-polymux-permission': (Reflect.getMetadata(REQUIRES, handler) as string | null) ?? null } : {}),
      security: guarded ? [{ bearer: [] }] : [],
      parameters: [...pathParameters, ...queryParameters],
      ...(contract?.body
        ? { requestBody: { required: true, content: json(schemaOf(contract.body, `${operationId}.body`, components)) } }
        : {}),
      responses: {
        [String(status)]: {
          description: 'Success',
          content: contract?.answers
            ? Object.fromEntries(contract.answers.map((type) => [type, { schema: { type: 'string' } }]))
            : json(paged ? PAGE_SCHEMA : { type: 'object' }),
        },
        '4XX': ERROR_RESPONSE,
        '5XX': ERROR_RESPONSE,
      },
    };
    return [{ method, path: path.replace(/:(\w+)/g, '{$1}'), operation }];
  });
};

const isController = (value: unknown): value is object & { name: string; prototype: Record<string, unknown> } =>
  typeof value === 'function';

/**
 * The admin API as OpenAPI 3.1, from what the controllers declare: routes and status codes (Nest's
 * metadata), the permission (`@Requires`, as `x-polymux-permission`; null: any principal), and
 * summary, body and query (`@ApiContract`, zod DTOs as JSON Schema 2020-12).
 */
export const openApiDocument = (controllers: readonly unknown[]): JsonSchema => {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const schemas: Record<string, JsonSchema> = { Error: ERROR_SCHEMA };
  const routes = controllers.filter(isController).flatMap((controller) => routesOf(controller, schemas));
  for (const { method, path, operation } of routes) {
    paths[path] = { ...paths[path], [method]: operation };
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Polymux admin API',
      version: 'v1',
      description:
        'Tenancy, keys, credit, catalog, routing, budgets, usage and audit. Lists are paged: `limit` and ' +
        '`cursor` in, `{ data, nextCursor }` out.',
    },
    paths: sorted,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An admin API key, or an SSO session token',
        },
      },
      schemas,
      responses: {
        Error: {
          description: 'An error, OpenAI-style',
          content: json({ $ref: '#/components/schemas/Error' }),
        },
      },
    },
  };
};
