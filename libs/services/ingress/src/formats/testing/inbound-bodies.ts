import type { ChatRequest, ContentPart, Message } from '@polymux/contracts';

/**
 * Test-side encoders of a canonical request into each inbound format's body, as the official SDKs
 * would send it: the round-trip properties start from a caller's body, not from the canonical
 * model. Written independently of the gateway's own encoders, so that a mapper's mistake cannot
 * cancel itself out. Each carries what its format can say and no more (Chat Completions has no
 * thinking blocks, Responses no stop sequences or sampling penalties, Messages no temperature above 1).
 */

export type InboundName = 'chat' | 'responses' | 'messages';

type Body = Record<string, unknown>;

const defined = (value: Body): Body =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));

const texts = (content: ContentPart[]): string[] =>
  content.flatMap((part) => (part.type === 'text' ? [part.text] : []));

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

const chatUserPart = (part: ContentPart): Body[] => {
  switch (part.type) {
    case 'text':
      return [{ type: 'text', text: part.text }];
    case 'image':
      return [{ type: 'image_url', image_url: { url: part.url } }];
    case 'document':
      return [{ type: 'file', file: defined({ file_data: part.url, filename: part.filename }) }];
    case 'thinking':
    case 'redacted_thinking':
      return [];
  }
};

const chatMessage = (message: Message): Body => {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: message.role, content: texts(message.content).map((text) => ({ type: 'text', text })) };
    case 'user':
      return { role: 'user', content: message.content.flatMap(chatUserPart) };
    case 'assistant':
      return defined({
        role: 'assistant',
        content: texts(message.content).join('') || null,
        tool_calls: message.toolCalls?.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      });
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: texts(message.content).join('') };
  }
};

/** `POST /v1/chat/completions`, with `extra` as top-level fields the canonical model has no slot for. */
export const chatCompletionsBody = (request: ChatRequest, extra: Body = {}): Body => {
  const format = request.responseFormat;
  const choice = request.toolChoice;
  return defined({
    ...extra,
    model: request.model,
    messages: request.messages.map(chatMessage),
    tools: request.tools?.map((tool) => ({
      type: 'function',
      function: defined({ name: tool.name, description: tool.description, parameters: tool.parameters }),
    })),
    tool_choice: typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice,
    parallel_tool_calls: request.parallelToolCalls,
    response_format:
      format?.type === 'json_schema'
        ? {
            type: 'json_schema',
            json_schema: defined({ name: format.name, schema: format.schema, strict: format.strict }),
          }
        : format,
    max_completion_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    top_k: request.topK,
    stop: request.stop,
    seed: request.seed,
    n: request.n,
    logprobs: request.logprobs,
    top_logprobs: request.logprobs ? request.topLogprobs : undefined,
    presence_penalty: request.presencePenalty,
    frequency_penalty: request.frequencyPenalty,
    user: request.user,
    reasoning_effort: request.reasoning?.effort,
    stream: request.stream,
    stream_options: request.stream ? { include_usage: true } : undefined,
  });
};

const responsesPart = (part: ContentPart): Body[] => {
  switch (part.type) {
    case 'text':
      return [{ type: 'input_text', text: part.text }];
    case 'image':
      return [{ type: 'input_image', image_url: part.url, detail: 'auto' }];
    case 'document':
      return [{ type: 'input_file', ...defined({ file_data: part.url, filename: part.filename }) }];
    case 'thinking':
    case 'redacted_thinking':
      return [];
  }
};

const responsesItems = (message: Message): Body[] => {
  switch (message.role) {
    case 'system':
    case 'developer':
    case 'user':
      return [{ role: message.role, content: message.content.flatMap(responsesPart) }];
    case 'assistant': {
      // Reasoning items carry a thinking block's signature in `encrypted_content`, as Polymux answers it.
      const reasoning = message.content.flatMap((part) =>
        part.type === 'thinking'
          ? [
              defined({
                type: 'reasoning',
                summary: [{ type: 'summary_text', text: part.text }],
                encrypted_content: part.signature,
              }),
            ]
          : [],
      );
      const said = texts(message.content);
      const reply = said.length
        ? [
            {
              type: 'message',
              role: 'assistant',
              content: said.map((text) => ({ type: 'output_text', text, annotations: [] })),
            },
          ]
        : [];
      const calls = (message.toolCalls ?? []).map((call) => ({
        type: 'function_call',
        call_id: call.id,
        name: call.name,
        arguments: call.arguments,
      }));
      return [...reasoning, ...reply, ...calls];
    }
    case 'tool':
      return [{ type: 'function_call_output', call_id: message.toolCallId, output: texts(message.content).join('') }];
  }
};

/** `POST /v1/responses` (stateless: the whole conversation as input items). */
export const responsesBody = (request: ChatRequest, extra: Body = {}): Body => {
  const format = request.responseFormat;
  const choice = request.toolChoice;
  return defined({
    ...extra,
    model: request.model,
    input: request.messages.flatMap(responsesItems),
    tools: request.tools?.map((tool) =>
      defined({ type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters }),
    ),
    tool_choice: typeof choice === 'object' ? { type: 'function', name: choice.name } : choice,
    parallel_tool_calls: request.parallelToolCalls,
    text: format
      ? {
          format:
            format.type === 'json_schema'
              ? defined({ type: 'json_schema', name: format.name, schema: format.schema, strict: format.strict })
              : format,
        }
      : undefined,
    max_output_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    top_p: request.topP,
    top_logprobs: request.logprobs ? request.topLogprobs : undefined,
    reasoning: request.reasoning?.effort ? { effort: request.reasoning.effort } : undefined,
    user: request.user,
    stream: request.stream,
  });
};

const messagesBlock = (part: ContentPart): Body[] => {
  switch (part.type) {
    case 'text':
      return [{ type: 'text', text: part.text }];
    case 'image': {
      const data = DATA_URL.exec(part.url);
      const source = data ? { type: 'base64', media_type: data[1], data: data[2] } : { type: 'url', url: part.url };
      return [{ type: 'image', source }];
    }
    case 'document': {
      const data = DATA_URL.exec(part.url);
      return [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: data?.[2] } }];
    }
    case 'thinking':
      return [{ type: 'thinking', thinking: part.text, signature: part.signature }];
    case 'redacted_thinking':
      return [{ type: 'redacted_thinking', data: part.data }];
  }
};

const messagesTurn = (message: Message): { role: 'user' | 'assistant'; content: Body[] } | undefined => {
  switch (message.role) {
    case 'system':
    case 'developer':
      return undefined;
    case 'user':
      return { role: 'user', content: message.content.flatMap(messagesBlock) };
    case 'assistant':
      return {
        role: 'assistant',
        content: [
          ...message.content.flatMap(messagesBlock),
          ...(message.toolCalls ?? []).map((call) => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: JSON.parse(call.arguments) as unknown,
          })),
        ],
      };
    case 'tool':
      return {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: message.toolCallId, content: texts(message.content).join('') }],
      };
  }
};

/** The `max_tokens` a Messages caller sends when the canonical request sets none (the field is required). */
export const MESSAGES_DEFAULT_MAX_TOKENS = 1_024;

/** `POST /v1/messages`: roles alternate (consecutive same-role turns merged), system at the top. */
export const messagesBody = (request: ChatRequest, extra: Body = {}): Body => {
  const turns: Array<{ role: 'user' | 'assistant'; content: Body[] }> = [];
  for (const turn of request.messages.map(messagesTurn)) {
    if (!turn) continue;
    const last = turns.at(-1);
    if (last?.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  }
  const system = request.messages
    .filter((message) => message.role === 'system' || message.role === 'developer')
    .flatMap((message) => texts(message.content).map((text) => ({ type: 'text', text })));
  const choice = request.toolChoice;
  const parallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  const format = request.responseFormat;
  return defined({
    ...extra,
    model: request.model,
    max_tokens: request.maxOutputTokens ?? MESSAGES_DEFAULT_MAX_TOKENS,
    system: system.length ? system : undefined,
    messages: turns,
    tools: request.tools?.map((tool) =>
      defined({ name: tool.name, description: tool.description, input_schema: tool.parameters ?? { type: 'object' } }),
    ),
    tool_choice:
      choice === undefined || !request.tools?.length
        ? undefined
        : choice === 'none'
          ? { type: 'none' }
          : typeof choice === 'object'
            ? { type: 'tool', name: choice.name, ...parallel }
            : { type: choice === 'required' ? 'any' : 'auto', ...parallel },
    output_config:
      format?.type === 'json_schema' && format.schema
        ? { format: { type: 'json_schema', schema: format.schema } }
        : undefined,
    stop_sequences: request.stop,
    temperature: request.temperature !== undefined && request.temperature <= 1 ? request.temperature : undefined,
    top_p: request.topP,
    top_k: request.topK,
    metadata: request.user ? { user_id: request.user } : undefined,
    stream: request.stream,
  });
};

/** The body of each inbound format. */
export const INBOUND_BODIES: Readonly<Record<InboundName, (request: ChatRequest, extra?: Body) => Body>> = {
  chat: chatCompletionsBody,
  responses: responsesBody,
  messages: messagesBody,
};
