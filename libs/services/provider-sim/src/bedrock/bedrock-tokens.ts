import type { BedrockContentBlock, BedrockConverseRequest } from '@polymux/wire';
import { createHash } from 'node:crypto';

import type { PromptCount } from '../anthropic/anthropic-tokens';
import {
  ANTHROPIC_DOCUMENT_TOKENS,
  ANTHROPIC_IMAGE_TOKENS,
  ANTHROPIC_TOKENS_PER_MESSAGE,
} from '../anthropic/anthropic-tokens';

const CHARACTERS_PER_TOKEN = 4;

/** One billed piece of a prompt, in Bedrock's cache order (tools, system, messages); a cache point is a breakpoint. */
type Unit = { characters: number; tokens: number; key: string } | { breakpoint: true };

const blockUnit = (block: BedrockContentBlock): Unit => {
  const key = JSON.stringify(block);
  if ('cachePoint' in block) return { breakpoint: true };
  if ('text' in block) return { characters: block.text.length, tokens: 0, key };
  if ('image' in block) return { characters: 0, tokens: ANTHROPIC_IMAGE_TOKENS, key };
  if ('document' in block) return { characters: 0, tokens: ANTHROPIC_DOCUMENT_TOKENS, key };
  if ('toolUse' in block)
    return { characters: block.toolUse.name.length + JSON.stringify(block.toolUse.input ?? {}).length, tokens: 0, key };
  if ('toolResult' in block) {
    const parts = block.toolResult.content.map((part) => ('json' in part ? { text: JSON.stringify(part.json) } : part));
    const units = parts.map((part) => blockUnit(part as BedrockContentBlock));
    const sum = (field: 'characters' | 'tokens') =>
      units.reduce((total, unit) => total + ('breakpoint' in unit ? 0 : unit[field]), 0);
    return { characters: sum('characters'), tokens: sum('tokens'), key };
  }
  const reasoning = block.reasoningContent;
  return {
    characters: 'reasoningText' in reasoning ? reasoning.reasoningText.text.length : reasoning.redactedContent.length,
    tokens: 0,
    key,
  };
};

const unitsOf = (request: BedrockConverseRequest): Unit[] => [
  ...(request.toolConfig?.tools ?? []).map((tool): Unit =>
    'cachePoint' in tool
      ? { breakpoint: true }
      : { characters: JSON.stringify(tool).length, tokens: 0, key: JSON.stringify(tool) },
  ),
  ...(request.system ?? []).map((block) => blockUnit(block)),
  ...request.messages.flatMap((message): Unit[] => [
    { characters: 0, tokens: ANTHROPIC_TOKENS_PER_MESSAGE, key: message.role },
    ...message.content.map(blockUnit),
  ]),
];

/**
 * The simulator's deterministic input count of a Converse request, the Anthropic simulator's
 * formula over Bedrock's blocks: `ceil(C / 4) + 3 × M + 1600 × images + 1500 × documents`, where C
 * counts texts, tool definitions (their JSON), tool uses, tool results and reasoning. The cacheable
 * prefix is the same sum over the blocks before the last `cachePoint`, identified by their hash.
 */
export const countConverse = (modelId: string, request: BedrockConverseRequest): PromptCount => {
  const units = unitsOf(request);
  const counted = (pieces: Unit[]) => {
    let characters = 0;
    let tokens = 0;
    for (const unit of pieces) {
      if ('breakpoint' in unit) continue;
      characters += unit.characters;
      tokens += unit.tokens;
    }
    return Math.ceil(characters / CHARACTERS_PER_TOKEN) + tokens;
  };
  const tokens = counted(units);
  const last = units.findLastIndex((unit) => 'breakpoint' in unit);
  if (last === -1) return { tokens };
  const prefix = units.slice(0, last);
  const hash = createHash('sha256');
  for (const unit of prefix) if (!('breakpoint' in unit)) hash.update(unit.key).update('\u0000');
  return { tokens, cacheable: { tokens: counted(prefix), key: `bedrock:${modelId}:${hash.digest('hex')}` } };
};
