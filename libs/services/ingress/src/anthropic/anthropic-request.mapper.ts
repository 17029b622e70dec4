import type { CacheControl, ChatRequest, ContentPart, Message, Reasoning, ToolChoice } from '@polymux/contracts';

import type { AnthropicMessage, ContentBlock, CountTokensBody, ToolResultContent } from './messages.schema';
import { KNOWN_FIELDS } from './messages.schema';

type Block = Exclude<ContentBlock, { type: 'tool_use' | 'tool_result' }>;

const cache = (value: { type: 'ephemeral'; ttl?: '5m' | '1h' } | null | undefined): CacheControl | undefined =>
  value ?? undefined;

const withCache = <T extends object>(part: T, control: CacheControl | undefined): T =>
  control === undefined ? part : { ...part, cacheControl: control };

/** A text document travels as a `data:` URL like a PDF does: the canonical document is a URL and a media type. */
const textDataUrl = (text: string): string => `data:text/plain;base64,${Buffer.from(text, 'utf8').toString('base64')}`;

const toPart = (block: Block): ContentPart => {
  switch (block.type) {
    case 'text':
      return withCache({ type: 'text', text: block.text }, cache(block.cache_control));
    case 'image': {
      const { source } = block;
      const url = source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
      return withCache({ type: 'image', url }, cache(block.cache_control));
    }
    case 'document': {
      const { source } = block;
      const title = block.title ?? undefined;
      const document =
        source.type === 'base64'
          ? { url: `data:${source.media_type};base64,${source.data}`, mediaType: source.media_type }
          : source.type === 'text'
            ? { url: textDataUrl(source.data), mediaType: source.media_type }
            : // Anthropic's URL documents are PDFs.
              { url: source.url, mediaType: 'application/pdf' };
      return withCache(
        { type: 'document', ...document, ...(title === undefined ? {} : { title }) },
        cache(block.cache_control),
      );
    }
    case 'thinking':
      return { type: 'thinking', text: block.thinking, signature: block.signature };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
  }
};

const toolResultParts = (content: ToolResultContent | undefined): ContentPart[] => {
  if (content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.map(toPart);
};

/** Puts a block's cache breakpoint on the last part of the message it became, where the prefix ends. */
const cacheLast = (parts: ContentPart[], control: CacheControl | undefined): ContentPart[] => {
  const last = parts.at(-1);
  if (control === undefined || last === undefined || last.type === 'thinking' || last.type === 'redacted_thinking')
    return parts;
  return [...parts.slice(0, -1), { ...last, cacheControl: control }];
};

/**
 * A user turn: each `tool_result` block becomes a `tool` message with its `toolCallId`, the other
 * blocks user messages, in the order they came; `is_error: true` is kept as the message's `isError`.
 */
const userMessages = (blocks: ContentBlock[]): Message[] => {
  const messages: Message[] = [];
  let pending: ContentPart[] = [];
  const flush = () => {
    if (pending.length > 0) messages.push({ role: 'user', content: pending });
    pending = [];
  };
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      flush();
      const content = cacheLast(toolResultParts(block.content), cache(block.cache_control));
      messages.push({
        role: 'tool',
        content,
        toolCallId: block.tool_use_id,
        ...(block.is_error === true ? { isError: true as const } : {}),
      });
    } else if (block.type !== 'tool_use') {
      pending.push(toPart(block));
    }
  }
  flush();
  return messages;
};

/** An assistant turn: its text and reasoning blocks in order, its `tool_use` blocks as tool calls. */
const assistantMessage = (blocks: ContentBlock[]): Message => {
  const content: ContentPart[] = [];
  const toolCalls: NonNullable<Message['toolCalls']> = [];
  for (const block of blocks) {
    if (block.type === 'tool_use')
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
    else if (block.type !== 'tool_result') content.push(toPart(block));
  }
  return { role: 'assistant', content, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
};

const toMessages = (message: AnthropicMessage): Message[] => {
  const blocks: ContentBlock[] =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  return message.role === 'assistant' ? [assistantMessage(blocks)] : userMessages(blocks);
};

const systemMessages = (system: CountTokensBody['system']): Message[] => {
  if (system === undefined) return [];
  const parts: ContentPart[] =
    typeof system === 'string' ? [{ type: 'text', text: system }] : system.map((block) => toPart(block));
  return parts.length > 0 ? [{ role: 'system', content: parts }] : [];
};

const toToolChoice = (choice: CountTokensBody['tool_choice']): ToolChoice | undefined => {
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: choice.name };
  }
};

/** Anthropic's efforts beyond `high` (`xhigh`, `max`) are the canonical model's highest. */
const toReasoning = (body: CountTokensBody): Reasoning | undefined => {
  const effort = body.output_config?.effort;
  const reasoning: Reasoning = {
    ...(body.thinking?.type === 'enabled' ? { budgetTokens: body.thinking.budget_tokens } : {}),
    ...(effort ? { effort: effort === 'xhigh' || effort === 'max' ? 'high' : effort } : {}),
  };
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
};

/**
 * Fields with no canonical slot travel in `extra` like unknown ones: `output_config` once its
 * effort and format are taken, and an `adaptive` thinking configuration (no budget to carry).
 */
const extraOf = (body: CountTokensBody): Record<string, unknown> | undefined => {
  const extra: Record<string, unknown> = Object.fromEntries(
    Object.entries(body).filter(([key]) => !KNOWN_FIELDS.has(key)),
  );
  if (body.thinking?.type === 'adaptive') extra.thinking = body.thinking;
  return Object.keys(extra).length > 0 ? extra : undefined;
};

/** Anthropic Messages body (or a `count_tokens` body, which has no `max_tokens`) → canonical request. */
export const fromMessagesBody = (body: CountTokensBody): ChatRequest => {
  const format = body.output_config?.format ?? undefined;
  const disableParallel =
    body.tool_choice && body.tool_choice.type !== 'none' ? body.tool_choice.disable_parallel_tool_use : undefined;
  return {
    model: body.model,
    messages: [...systemMessages(body.system), ...body.messages.flatMap(toMessages)],
    tools: body.tools?.map((tool) =>
      withCache(
        {
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          parameters: tool.input_schema,
        },
        cache(tool.cache_control),
      ),
    ),
    toolChoice: toToolChoice(body.tool_choice),
    parallelToolCalls: disableParallel === undefined ? undefined : !disableParallel,
    responseFormat: format ? { type: 'json_schema', name: 'output', schema: format.schema, strict: true } : undefined,
    maxOutputTokens: body.max_tokens,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    reasoning: toReasoning(body),
    stop: body.stop_sequences,
    user: body.metadata?.user_id ?? undefined,
    stream: body.stream === true,
    // Anthropic streams always carry usage (`message_start`, `message_delta`).
    includeUsage: true,
    extra: extraOf(body),
  };
};
