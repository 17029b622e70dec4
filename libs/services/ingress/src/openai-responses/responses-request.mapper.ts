import type { ChatRequest, ContentPart, Message, Reasoning } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { DecodeContext } from '../formats/inbound-format';
import type { InputItem, InputPart, ReasoningItem, ResponsesBody } from './responses.schema';
import { KNOWN_FIELDS } from './responses.schema';

/**
 * OpenAI Responses body → canonical request. Polymux is stateless: it stores no response and no
 * conversation, so everything that refers to state on the server is refused with a 400 saying so,
 * `store` is treated as false (and named in `x-polymux-dropped` when it was true), and fields that
 * only OpenAI's Responses servers act on are named as dropped. See docs/api.md.
 */

/** Responses fields without a canonical slot that Chat Completions providers accept under the same name. */
const TO_EXTRA = ['metadata', 'safety_identifier'] as const;

const refuse = (param: string, message: string): never => {
  throw new PolymuxException(ErrorCode.InvalidRequest, message, { param });
};

/** A `file_data` value as a data URL: the SDK sends either a data URL or bare base64 (PDF unless named otherwise). */
const fileDataUrl = (data: string, filename: string | undefined): { url: string; mediaType: string } => {
  const header = /^data:([^;,]+)[;,]/.exec(data);
  if (header) return { url: data, mediaType: header[1] };
  const mediaType = filename?.toLowerCase().endsWith('.txt') ? 'text/plain' : 'application/pdf';
  return { url: `data:${mediaType};base64,${data}`, mediaType };
};

const part = (input: InputPart, path: string): ContentPart => {
  switch (input.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: input.text };
    case 'refusal':
      return { type: 'text', text: input.refusal };
    case 'input_image': {
      if (!input.image_url) {
        return refuse(
          path,
          'input_image with file_id is not supported: Polymux has no Files API; send image_url as an https or data URL',
        );
      }
      const detail = input.detail === 'original' ? 'high' : (input.detail ?? undefined);
      return { type: 'image', url: input.image_url, detail };
    }
    case 'input_file': {
      if (input.file_data) {
        return { type: 'document', ...fileDataUrl(input.file_data, input.filename), filename: input.filename };
      }
      if (input.file_url) {
        const mediaType = input.file_url.toLowerCase().endsWith('.txt') ? 'text/plain' : 'application/pdf';
        return { type: 'document', url: input.file_url, mediaType, filename: input.filename };
      }
      return refuse(
        path,
        'input_file with file_id is not supported: Polymux has no Files API; send file_data (base64 or a data URL) or file_url',
      );
    }
  }
};

const parts = (content: string | InputPart[], path: string): ContentPart[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content.map((p, i) => part(p, `${path}.${i}`));

/**
 * A reasoning item as a thinking part: its text (or, failing that, its summary) with `encrypted_content`
 * as the signature, which is where Polymux's own answers put a thinking block's signature. Undefined when
 * it carries no readable text: encrypted reasoning alone only means something to the model that wrote it.
 */
const thinking = (item: ReasoningItem): ContentPart | undefined => {
  const texts = item.content?.length ? item.content : item.summary;
  const text = texts.map((entry) => entry.text).join('\n\n');
  if (text === '') return undefined;
  return { type: 'thinking', text, ...(item.encrypted_content ? { signature: item.encrypted_content } : {}) };
};

/**
 * Input items → canonical messages. Consecutive assistant-side items (reasoning, assistant messages,
 * function calls) form one assistant turn, as they do in Chat Completions and Anthropic Messages.
 */
const messages = (items: InputItem[], dropped: Set<string>): Message[] => {
  const out: Message[] = [];
  let turn: Message | undefined;
  const assistantTurn = (): Message => {
    if (!turn) {
      turn = { role: 'assistant', content: [] };
      out.push(turn);
    }
    return turn;
  };
  items.forEach((item, index) => {
    const path = `input.${index}`;
    switch (item.type) {
      case 'reasoning': {
        const block = thinking(item);
        if (block) assistantTurn().content.push(block);
        else dropped.add('input.reasoning');
        return;
      }
      case 'function_call': {
        const current = assistantTurn();
        current.toolCalls = [
          ...(current.toolCalls ?? []),
          { id: item.call_id, name: item.name, arguments: item.arguments },
        ];
        return;
      }
      case 'function_call_output':
        turn = undefined;
        out.push({ role: 'tool', toolCallId: item.call_id, content: parts(item.output, `${path}.output`) });
        return;
      case 'message':
      case undefined:
        if (item.role === 'assistant') {
          assistantTurn().content.push(...parts(item.content, `${path}.content`));
          return;
        }
        turn = undefined;
        out.push({ role: item.role, content: parts(item.content, `${path}.content`) });
        return;
    }
  });
  return out;
};

const reasoning = (body: ResponsesBody, dropped: Set<string>): Reasoning | undefined => {
  const requested = body.reasoning;
  if (!requested) return undefined;
  if (requested.summary || requested.generate_summary) dropped.add('reasoning.summary');
  const effort = requested.effort ?? undefined;
  if (effort === 'xhigh' || effort === 'max') {
    // The canonical scale stops at high: the nearest it can carry, and said so.
    dropped.add('reasoning.effort');
    return { effort: 'high' };
  }
  return effort === undefined ? undefined : { effort };
};

/** Refuses what refers to state Polymux does not keep, with a message that says why for this project. */
const refuseServerState = (body: ResponsesBody, context: DecodeContext): void => {
  const why = context.dataRetention
    ? 'Polymux stores no responses and keeps no conversation state, even for projects with data retention enabled'
    : 'under zero data retention Polymux stores no responses and keeps no conversation state';
  if (body.previous_response_id) {
    refuse(
      'previous_response_id',
      `previous_response_id is not supported: ${why}; send the whole conversation in input`,
    );
  }
  if (body.conversation !== undefined && body.conversation !== null) {
    refuse('conversation', `conversation is not supported: ${why}; send the whole conversation in input`);
  }
  if (body.prompt !== undefined && body.prompt !== null) {
    refuse('prompt', 'prompt templates stored on OpenAI are not supported; send instructions and input instead');
  }
  if (body.background === true) {
    refuse('background', `background responses are not supported: ${why}; call without background`);
  }
};

/** Fields Polymux accepts but that only the Responses servers act on, named in `x-polymux-dropped`. */
const droppedFields = (body: ResponsesBody, dropped: Set<string>): void => {
  // Polymux keeps nothing, so a response is never stored whatever `store` says.
  if (body.store === true) dropped.add('store');
  if (body.include?.length) dropped.add('include');
  if (body.truncation === 'auto') dropped.add('truncation');
  if (body.max_tool_calls != null) dropped.add('max_tool_calls');
  if (body.top_logprobs != null) dropped.add('top_logprobs');
};

const undefinedIfNull = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** OpenAI Responses body → canonical request; names what it cannot carry in `context.dropped`. */
export const fromResponsesBody = (body: ResponsesBody, context: DecodeContext): ChatRequest => {
  refuseServerState(body, context);
  const dropped = new Set<string>();
  droppedFields(body, dropped);
  const conversation = messages(body.input, dropped);
  if (body.instructions) conversation.unshift({ role: 'system', content: [{ type: 'text', text: body.instructions }] });
  const extra: Record<string, unknown> = Object.fromEntries(
    Object.entries(body).filter(([key]) => !KNOWN_FIELDS.has(key)),
  );
  for (const field of TO_EXTRA) if (body[field] != null) extra[field] = body[field];
  if (body.text?.verbosity) extra.verbosity = body.text.verbosity;
  const format = body.text?.format;
  const toolChoice = body.tool_choice;
  const effort = reasoning(body, dropped);
  context.dropped.push(...dropped);
  return {
    model: body.model,
    messages: conversation,
    tools: body.tools?.map((tool) => ({
      name: tool.name,
      description: undefinedIfNull(tool.description),
      parameters: undefinedIfNull(tool.parameters),
      strict: undefinedIfNull(tool.strict),
    })),
    toolChoice:
      toolChoice === undefined ? undefined : typeof toolChoice === 'string' ? toolChoice : { name: toolChoice.name },
    parallelToolCalls: undefinedIfNull(body.parallel_tool_calls),
    responseFormat:
      format === undefined
        ? undefined
        : format.type === 'json_schema'
          ? { type: 'json_schema', name: format.name, schema: format.schema, strict: undefinedIfNull(format.strict) }
          : { type: format.type },
    maxOutputTokens: undefinedIfNull(body.max_output_tokens),
    temperature: undefinedIfNull(body.temperature),
    topP: undefinedIfNull(body.top_p),
    reasoning: effort,
    user: body.user,
    stream: body.stream === true,
    extra: Object.keys(extra).length > 0 ? extra : undefined,
  };
};
