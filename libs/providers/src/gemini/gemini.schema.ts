import type { GeminiSchema, GeminiType } from '@polymux/wire';
import { GEMINI_TYPES } from '@polymux/wire';

/**
 * JSON Schema → Google's `Schema` (the OpenAPI 3.0 subset function parameters and `responseSchema`
 * take). Mapped: `type` (upper-cased; `["x","null"]` → `nullable`), `const` (a one-value `enum`),
 * `oneOf` (→ `anyOf`), an `anyOf` with `null` (→ `nullable`), a one-member `allOf` (merged), local
 * `$ref`s to `$defs`/`definitions` (inlined, a recursive one cut after `MAX_DEPTH` levels), the
 * first of `examples`. Kept as they are: `description`, `title`, `enum` of strings, `format`s Google
 * knows, `properties`, `required`, `items`, the length, item and property counts, `minimum`,
 * `maximum`, `pattern`, `default`. Everything else — `additionalProperties`, `exclusiveMinimum`,
 * `exclusiveMaximum`, `multipleOf`, `uniqueItems`, `patternProperties`, `not`, `if`/`then`/`else`, an
 * `allOf` of several schemas, an `enum` of numbers, unknown keywords — is dropped and named in
 * `dropped`.
 */

/** The formats Google reads, by type. */
const FORMATS: Partial<Record<GeminiType, ReadonlySet<string>>> = {
  STRING: new Set(['enum', 'date-time']),
  NUMBER: new Set(['float', 'double']),
  INTEGER: new Set(['int32', 'int64']),
};
/** Deepest nesting converted: a recursive `$ref` is cut there. */
const MAX_DEPTH = 12;

/** Keywords read by `convert` (the rest are dropped and named). */
const READ = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'const',
  'items',
  'minItems',
  'maxItems',
  'properties',
  'required',
  'propertyOrdering',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'anyOf',
  'oneOf',
  'allOf',
  'default',
  'example',
  'examples',
  '$ref',
  '$defs',
  'definitions',
  '$schema',
  '$id',
  '$comment',
]);
const COUNTS = ['minItems', 'maxItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength'] as const;

type JsonSchema = Record<string, unknown>;

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const geminiType = (value: unknown): GeminiType | undefined => {
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
  return GEMINI_TYPES.find((type) => type === upper);
};

class Converter {
  readonly dropped = new Set<string>();

  constructor(private readonly root: JsonSchema) {}

  convert(schema: JsonSchema, depth: number): GeminiSchema {
    if (depth > MAX_DEPTH) {
      this.dropped.add('$ref');
      return {};
    }
    const resolved = this.resolve(schema);
    for (const keyword of Object.keys(resolved)) if (!READ.has(keyword)) this.dropped.add(keyword);
    const out: GeminiSchema = {};
    this.typeOf(resolved, out, depth);
    for (const keyword of ['title', 'description', 'pattern'] as const) {
      if (typeof resolved[keyword] === 'string') out[keyword] = resolved[keyword];
    }
    for (const keyword of ['minimum', 'maximum'] as const) {
      if (typeof resolved[keyword] === 'number') out[keyword] = resolved[keyword];
    }
    for (const keyword of COUNTS) {
      const value = resolved[keyword];
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) out[keyword] = value;
    }
    if (resolved.nullable === true) out.nullable = true;
    if (resolved.default !== undefined) out.default = resolved.default;
    const example = resolved.example ?? (Array.isArray(resolved.examples) ? resolved.examples[0] : undefined);
    if (example !== undefined) out.example = example;
    this.enumOf(resolved, out);
    if (typeof resolved.format === 'string') {
      if (out.type && FORMATS[out.type]?.has(resolved.format)) out.format = resolved.format;
      else this.dropped.add('format');
    }
    this.structure(resolved, out, depth);
    return out;
  }

  /** A local `$ref` replaced by its target, siblings kept; an `allOf` of one schema merged. */
  private resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; typeof current.$ref === 'string' && hops < MAX_DEPTH; hops += 1) {
      const { $ref: ref, ...siblings } = current;
      const target = this.target(ref as string);
      if (!target) {
        this.dropped.add('$ref');
        current = siblings;
        break;
      }
      current = { ...target, ...siblings };
    }
    if (Array.isArray(current.allOf)) {
      const { allOf, ...rest } = current;
      if (allOf.length === 1 && isObject(allOf[0])) return { ...this.resolve(allOf[0]), ...rest };
      this.dropped.add('allOf');
      return rest;
    }
    return current;
  }

  private target(ref: string): JsonSchema | undefined {
    const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
    const definitions = match ? this.root[match[1]] : undefined;
    const target = match && isObject(definitions) ? definitions[decodeURIComponent(match[2])] : undefined;
    return isObject(target) ? target : undefined;
  }

  private typeOf(schema: JsonSchema, out: GeminiSchema, depth: number): void {
    const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
    if (types.includes('null')) out.nullable = true;
    const concrete = types.filter((type) => type !== 'null').map(geminiType);
    if (concrete.length === 1) out.type = concrete[0];
    else if (concrete.length > 1) {
      out.anyOf = concrete.map((type) => this.convert({ ...schema, type, anyOf: undefined, oneOf: undefined }, depth));
    } else if (isObject(schema.properties)) out.type = 'OBJECT';
    else if (schema.items !== undefined) out.type = 'ARRAY';
    else if (
      (Array.isArray(schema.enum) && schema.enum.every((value) => typeof value === 'string')) ||
      typeof schema.const === 'string'
    )
      out.type = 'STRING';
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (!Array.isArray(alternatives)) return;
    const members = alternatives.filter(isObject);
    const nonNull = members.filter((member) => member.type !== 'null');
    if (nonNull.length < members.length) out.nullable = true;
    if (nonNull.length === 1)
      Object.assign(out, this.convert(nonNull[0], depth + 1), out.nullable ? { nullable: true } : {});
    else if (nonNull.length > 1) out.anyOf = nonNull.map((member) => this.convert(member, depth + 1));
  }

  private enumOf(schema: JsonSchema, out: GeminiSchema): void {
    const values = Array.isArray(schema.enum) ? schema.enum : schema.const !== undefined ? [schema.const] : undefined;
    if (!values) return;
    const strings = values.filter((value) => value !== null);
    if (strings.every((value) => typeof value === 'string') && strings.length > 0) {
      out.enum = strings as string[];
      out.type ??= 'STRING';
      if (strings.length < values.length) out.nullable = true;
    } else this.dropped.add(schema.enum ? 'enum' : 'const');
  }

  private structure(schema: JsonSchema, out: GeminiSchema, depth: number): void {
    if (isObject(schema.properties)) {
      out.properties = Object.fromEntries(
        Object.entries(schema.properties).map(([name, property]) => [
          name,
          isObject(property) ? this.convert(property, depth + 1) : {},
        ]),
      );
      if (Array.isArray(schema.required)) {
        const required = schema.required.filter(
          (name): name is string => typeof name === 'string' && name in (out.properties ?? {}),
        );
        if (required.length > 0) out.required = required;
      }
      if (Array.isArray(schema.propertyOrdering)) out.propertyOrdering = schema.propertyOrdering.map(String);
    }
    const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
    if (isObject(items)) out.items = this.convert(items, depth + 1);
    if (out.type === 'ARRAY' && !out.items) out.items = {};
  }
}

/** A JSON Schema as Google's `Schema`, and the keywords it could not carry. */
export const toGeminiSchema = (schema: JsonSchema): { schema: GeminiSchema; dropped: string[] } => {
  const converter = new Converter(schema);
  const converted = converter.convert(schema, 0);
  return { schema: converted, dropped: [...converter.dropped].sort() };
};
