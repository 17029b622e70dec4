import { createHash } from 'node:crypto';

import { TOOL_NAME, TOOL_USE_ID } from '@polymux/wire';

const MAX_NAME = 64;
const HASH_CHARACTERS = 8;

const shortHash = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, HASH_CHARACTERS);

/** `value` with every character outside `[a-zA-Z0-9_-]` replaced, plus a hash of the original. */
const sanitized = (value: string, maxLength: number): string => {
  const base = value.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, maxLength - HASH_CHARACTERS - 1);
  return `${base}_${shortHash(value)}`;
};

/**
 * One call's renaming of tool names and tool-call ids a provider would reject (for Anthropic, the
 * default, names outside `^[a-zA-Z0-9_-]{1,64}$`, such as OpenAI's `namespace.tool` or a
 * 70-character name, ids such as `call:1`; Gemini passes its own name pattern, which also wants a
 * letter or `_` first): the request carries the valid name, the answer the caller's own again.
 * Valid names and ids travel unchanged, so the map is empty for almost every call.
 */
export class ToolNames {
  private readonly upstreamByName = new Map<string, string>();
  private readonly nameByUpstream = new Map<string, string>();
  private readonly upstreamById = new Map<string, string>();
  private readonly idByUpstream = new Map<string, string>();

  constructor(private readonly namePattern: RegExp = TOOL_NAME) {}

  /** The name the provider gets for the caller's `name`. */
  name(name: string): string {
    if (this.namePattern.test(name)) return name;
    return this.rename(name, this.upstreamByName, this.nameByUpstream, MAX_NAME, this.namePattern);
  }

  /** The id Anthropic gets for the caller's tool-call `id`. */
  id(id: string): string {
    if (TOOL_USE_ID.test(id)) return id;
    return this.rename(
      id,
      this.upstreamById,
      this.idByUpstream,
      Math.max(id.length, 2 * HASH_CHARACTERS) + 9,
      TOOL_USE_ID,
    );
  }

  /** The caller's name for a name Anthropic answered with. */
  callerName(upstream: string): string {
    return this.nameByUpstream.get(upstream) ?? upstream;
  }

  /** The caller's id for an id Anthropic answered with. */
  callerId(upstream: string): string {
    return this.idByUpstream.get(upstream) ?? upstream;
  }

  private rename(
    original: string,
    forward: Map<string, string>,
    backward: Map<string, string>,
    maxLength: number,
    pattern: RegExp,
  ): string {
    const known = forward.get(original);
    if (known !== undefined) return known;
    // A sanitized name starts with whatever the original did: `_` instead where that is refused.
    const valid = (candidate: string) => (pattern.test(candidate) ? candidate : `_${candidate.slice(1)}`);
    let renamed = valid(sanitized(original, maxLength));
    for (let attempt = 1; backward.has(renamed); attempt += 1) {
      renamed = valid(sanitized(`${original}#${attempt}`, maxLength));
    }
    forward.set(original, renamed);
    backward.set(renamed, original);
    return renamed;
  }
}
