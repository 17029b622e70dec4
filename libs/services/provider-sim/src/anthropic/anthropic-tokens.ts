import type { AnthropicContentBlock, AnthropicCountTokensRequest } from '@polymux/wire';
import { createHash } from 'node:crypto';

export const ANTHROPIC_TOKENS_PER_MESSAGE = 3;
export const ANTHROPIC_IMAGE_TOKENS = 1_600;
export const ANTHROPIC_DOCUMENT_TOKENS = 1_500;
const CHARACTERS_PER_TOKEN = 4;

/** One billed piece of a prompt, in Anthropic's cache order (tools, system, messages). */
interface Unit {
  characters: number;
  tokens: number;
  /** Whether a `cache_control` breakpoint ends at this piece. */
  breakpoint: boolean;
  /** What the piece is, for the identity of a cached prefix. */
  key: string;
}

/** The input of a request as the simulator bills it, and its cacheable prefix. */
export interface PromptCount {
  tokens: number;
  /** The prefix up to the last `cache_control` breakpoint, when the request has one. */
  cacheable?: { tokens: number; key: string };
}

const hasBreakpoint = (block: object): boolean => 'cache_control' in block && Boolean(block.cache_control);

const blockUnit = (block: AnthropicContentBlock): Unit => {
  const unit = (characters: number, tokens = 0): Unit => ({
    characters,
    tokens,
    breakpoint: hasBreakpoint(block),
    key: JSON.stringify({ ...block, cache_control: undefined }),
  });
  switch (block.type) {
    case 'text':
      return unit(block.text.length);
    case 'image':
      return unit(0, ANTHROPIC_IMAGE_TOKENS);
    case 'document':
      return block.source.type === 'text' ? unit(block.source.data.length) : unit(0, ANTHROPIC_DOCUMENT_TOKENS);
    case 'tool_use':
      return unit(block.name.length + JSON.stringify(block.input).length);
    case 'tool_result': {
      const content = block.content ?? '';
      if (typeof content === 'string') return unit(content.length);
      const parts = content.map(blockUnit);
      return unit(
        parts.reduce((sum, part) => sum + part.characters, 0),
        parts.reduce((sum, part) => sum + part.tokens, 0),
      );
    }
    case 'thinking':
      return unit(block.thinking.length);
    case 'redacted_thinking':
      return unit(block.data.length);
  }
};

const unitsOf = (request: AnthropicCountTokensRequest): Unit[] => {
  const units: Unit[] = [];
  for (const tool of request.tools ?? []) {
    const key = JSON.stringify({ ...tool, cache_control: undefined });
    units.push({ characters: key.length, tokens: 0, breakpoint: hasBreakpoint(tool), key });
  }
  const system = request.system;
  if (typeof system === 'string') units.push({ characters: system.length, tokens: 0, breakpoint: false, key: system });
  else for (const block of system ?? []) units.push(blockUnit(block));
  for (const message of request.messages) {
    units.push({ characters: 0, tokens: ANTHROPIC_TOKENS_PER_MESSAGE, breakpoint: false, key: message.role });
    if (typeof message.content === 'string') {
      units.push({ characters: message.content.length, tokens: 0, breakpoint: false, key: message.content });
    } else {
      for (const block of message.content) units.push(blockUnit(block));
    }
  }
  return units;
};

/**
 * The simulator's deterministic input count, in Anthropic's convention:
 *
 *   tokens = ceil(C / 4) + 3 × M + 1600 × images + 1500 × PDF or URL documents
 *
 * where C counts the characters of texts, the system prompt, tool definitions (their JSON), tool
 * uses (name and input JSON), tool results and thinking blocks, and M the messages. The cacheable
 * prefix is the same sum over the pieces up to the last `cache_control` breakpoint (tools, then
 * system, then messages, as Anthropic orders its cache), identified by a hash of those pieces.
 */
export const countPrompt = (request: AnthropicCountTokensRequest): PromptCount => {
  const units = unitsOf(request);
  const tokensOf = (pieces: Unit[]) =>
    Math.ceil(pieces.reduce((sum, unit) => sum + unit.characters, 0) / CHARACTERS_PER_TOKEN) +
    pieces.reduce((sum, unit) => sum + unit.tokens, 0);
  const last = units.map((unit) => unit.breakpoint).lastIndexOf(true);
  const tokens = tokensOf(units);
  if (last === -1) return { tokens };
  const prefix = units.slice(0, last + 1);
  const hash = createHash('sha256');
  for (const unit of prefix) hash.update(unit.key).update('\u0000');
  return { tokens, cacheable: { tokens: tokensOf(prefix), key: `${request.model}:${hash.digest('hex')}` } };
};

/** Bounded memory of the prefixes already written to the simulated cache. */
const CACHE_ENTRIES = 10_000;

/**
 * The simulated prompt cache of one simulator: the first request with a prefix writes it
 * (`cache_creation_input_tokens`), later requests with the identical prefix read it
 * (`cache_read_input_tokens`); `input_tokens` is what remains. Entries never expire.
 */
export class PromptCache {
  private readonly written = new Set<string>();

  usage(count: PromptCount): {
    input_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
  } {
    const prefix = count.cacheable;
    if (!prefix) return { input_tokens: count.tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const read = this.written.has(prefix.key);
    if (!read) {
      if (this.written.size >= CACHE_ENTRIES) this.written.clear();
      this.written.add(prefix.key);
    }
    return {
      input_tokens: count.tokens - prefix.tokens,
      cache_creation_input_tokens: read ? 0 : prefix.tokens,
      cache_read_input_tokens: read ? prefix.tokens : 0,
    };
  }
}
