import { createHash } from 'node:crypto';

const HASH_CHARACTERS = 8;

const shortHash = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, HASH_CHARACTERS);

/** `value` with every character outside `[a-zA-Z0-9_-]` replaced, plus a hash of the original. */
const sanitized = (value: string, maxLength: number): string => {
  const base = value.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, maxLength - HASH_CHARACTERS - 1);
  return `${base}_${shortHash(value)}`;
};

/** What one provider accepts as tool names and tool-call ids (both within `[a-zA-Z0-9_-]`). */
export interface ToolNameRules {
  name: RegExp;
  id: RegExp;
  maxName: number;
  /** Longest id; without it an id keeps about its own length. */
  maxId?: number;
}

/**
 * One call's renaming of tool names and tool-call ids a provider would reject (for Anthropic and
 * Bedrock, names outside `^[a-zA-Z0-9_-]{1,64}$`, such as OpenAI's `namespace.tool` or a
 * 70-character name, ids such as `call:1`): the request carries the valid name, the answer the
 * caller's own again. Valid names and ids travel unchanged, so the map is empty for almost every call.
 */
export class ToolNames {
  private readonly upstreamByName = new Map<string, string>();
  private readonly nameByUpstream = new Map<string, string>();
  private readonly upstreamById = new Map<string, string>();
  private readonly idByUpstream = new Map<string, string>();

  constructor(private readonly rules: ToolNameRules) {}

  /** The name the provider gets for the caller's `name`. */
  name(name: string): string {
    if (this.rules.name.test(name)) return name;
    return this.rename(name, this.upstreamByName, this.nameByUpstream, this.rules.maxName);
  }

  /** The id the provider gets for the caller's tool-call `id`. */
  id(id: string): string {
    if (this.rules.id.test(id)) return id;
    const maxLength = this.rules.maxId ?? Math.max(id.length, 2 * HASH_CHARACTERS) + 9;
    return this.rename(id, this.upstreamById, this.idByUpstream, maxLength);
  }

  /** The caller's name for a name the provider answered with. */
  callerName(upstream: string): string {
    return this.nameByUpstream.get(upstream) ?? upstream;
  }

  /** The caller's id for an id the provider answered with. */
  callerId(upstream: string): string {
    return this.idByUpstream.get(upstream) ?? upstream;
  }

  private rename(
    original: string,
    forward: Map<string, string>,
    backward: Map<string, string>,
    maxLength: number,
  ): string {
    const known = forward.get(original);
    if (known !== undefined) return known;
    let renamed = sanitized(original, maxLength);
    for (let attempt = 1; backward.has(renamed); attempt += 1) {
      renamed = sanitized(`${original}#${attempt}`, maxLength);
    }
    forward.set(original, renamed);
    backward.set(renamed, original);
    return renamed;
  }
}
