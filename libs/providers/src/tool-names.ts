import { createHash } from 'node:crypto';

const HASH_CHARACTERS = 8;

const hashOf = (value: string): string => createHash('sha256').update(value).digest('hex');

/** What a provider accepts for one kind of identifier, and the valid stand-in it gets for one it refuses. */
export interface ToolNameRule {
  valid: RegExp;
  /** A valid stand-in for `original`; `attempt` counts up from 1 after a collision with another stand-in. */
  substitute(original: string, attempt: number): string;
}

/** One provider's rules for tool names and tool-call ids. */
export interface ToolNameRules {
  name: ToolNameRule;
  id: ToolNameRule;
}

const salted = (original: string, attempt: number): string => (attempt > 0 ? `${original}#${attempt}` : original);

/**
 * A stand-in of at most `maxLength(original)` characters: the original with every character outside
 * `[a-zA-Z0-9_-]` replaced by `_`, cut, then `_` and a hash of the original (so that names that
 * differ only in the replaced characters stay apart).
 */
export const sanitizedWithHash = (maxLength: (original: string) => number): ToolNameRule['substitute'] => {
  return (original, attempt) => {
    const base = original.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, maxLength(original) - HASH_CHARACTERS - 1);
    return `${base}_${hashOf(salted(original, attempt)).slice(0, HASH_CHARACTERS)}`;
  };
};

/** A stand-in of exactly `length` lower-case hex characters, from a hash of the original (Mistral's 9-character ids). */
export const hashed =
  (length: number): ToolNameRule['substitute'] =>
  (original, attempt) =>
    hashOf(salted(original, attempt)).slice(0, length);

/** Names as OpenAI and Anthropic both accept them: `^[a-zA-Z0-9_-]{1,64}$`. */
export const FUNCTION_NAME_RULE: ToolNameRule = {
  valid: /^[a-zA-Z0-9_-]{1,64}$/,
  substitute: sanitizedWithHash(() => 64),
};

/** Both directions of one kind of renaming; allocated only once something is renamed. */
class Renaming {
  private forward?: Map<string, string>;
  private backward?: Map<string, string>;

  constructor(private readonly rule: ToolNameRule) {}

  upstream(original: string): string {
    if (this.rule.valid.test(original)) return original;
    const known = this.forward?.get(original);
    if (known !== undefined) return known;
    this.forward ??= new Map();
    this.backward ??= new Map();
    let renamed = this.rule.substitute(original, 0);
    for (let attempt = 1; this.backward.has(renamed); attempt += 1) renamed = this.rule.substitute(original, attempt);
    this.forward.set(original, renamed);
    this.backward.set(renamed, original);
    return renamed;
  }

  caller(upstream: string): string {
    return this.backward?.get(upstream) ?? upstream;
  }
}

/**
 * One call's renaming of the tool names and tool-call ids its provider would refuse (e.g. OpenAI's
 * `namespace.tool` or a 70-character name at Anthropic, an MCP caller's `server.tool` at OpenAI,
 * an OpenAI `call_…` id at Mistral, which takes 9 alphanumerics): the request carries the valid
 * stand-in, the answer the caller's own again. Valid names and ids travel unchanged, so nothing is
 * allocated for almost every call.
 */
export class ToolNames {
  private readonly names: Renaming;
  private readonly ids: Renaming;

  constructor(rules: ToolNameRules) {
    this.names = new Renaming(rules.name);
    this.ids = new Renaming(rules.id);
  }

  /** The name the provider gets for the caller's `name`. */
  name(name: string): string {
    return this.names.upstream(name);
  }

  /** The id the provider gets for the caller's tool-call `id`. */
  id(id: string): string {
    return this.ids.upstream(id);
  }

  /** The caller's name for a name the provider answered with. */
  callerName(upstream: string): string {
    return this.names.caller(upstream);
  }

  /** The caller's id for an id the provider answered with. */
  callerId(upstream: string): string {
    return this.ids.caller(upstream);
  }
}
