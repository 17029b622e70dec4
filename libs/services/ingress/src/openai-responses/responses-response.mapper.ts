import type { ChatRequest, ChatResponse, Choice, FinishReason, ToolCall, Usage } from '@polymux/contracts';

/**
 * Canonical answer → OpenAI Response object, shared by the complete answer and the stream's
 * lifecycle events, so that both describe the same response the same way. Polymux stores nothing:
 * `store` is always false and `previous_response_id` always null.
 */

/** The ids of one response and its items, derived from the upstream id so that every event of a stream agrees. */
export const responseIds = (upstreamId: string) => {
  const base = upstreamId.replace(/^chatcmpl-/, '').replace(/[^A-Za-z0-9_-]/g, '');
  return {
    response: `resp_${base}`,
    message: (index: number) => `msg_${base}_${index}`,
    functionCall: (index: number) => `fc_${base}_${index}`,
    reasoning: (index: number) => `rs_${base}_${index}`,
  };
};

export const toResponseUsage = (usage: Usage) => ({
  input_tokens: usage.inputTokens,
  input_tokens_details: {
    cached_tokens: usage.cachedInputTokens ?? 0,
    cache_write_tokens: usage.cacheWriteTokens ?? 0,
  },
  output_tokens: usage.outputTokens,
  output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  total_tokens: usage.inputTokens + usage.outputTokens,
});

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete';

/** A finished response's status and why it is incomplete, from the choice's finish reason. */
export const statusOf = (
  finishReason: FinishReason | null | undefined,
): { status: ResponseStatus; incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null } => {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter')
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
};

export const outputText = (text: string) => ({ type: 'output_text' as const, text, annotations: [], logprobs: [] });

export const functionCallItem = (id: string, call: ToolCall, status: 'in_progress' | 'completed') => ({
  id,
  type: 'function_call' as const,
  status,
  call_id: call.id,
  name: call.name,
  arguments: call.arguments,
});

export const reasoningItem = (id: string, text: string | undefined, signature: string | undefined) => ({
  id,
  type: 'reasoning' as const,
  summary: text === undefined ? [] : [{ type: 'summary_text' as const, text }],
  // Where a thinking block's signature travels back: decoding a reasoning item reads it from here.
  ...(signature ? { encrypted_content: signature } : {}),
});

/** The request's settings as a Response echoes them, in the Responses API's own shapes. */
const echo = (request: ChatRequest) => {
  const format = request.responseFormat;
  const choice = request.toolChoice;
  const metadata = request.extra?.metadata;
  return {
    instructions: null,
    metadata: typeof metadata === 'object' && metadata !== null ? metadata : {},
    max_output_tokens: request.maxOutputTokens ?? null,
    max_tool_calls: null,
    parallel_tool_calls: request.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: false,
    background: false,
    temperature: request.temperature ?? 1,
    top_p: request.topP ?? 1,
    truncation: 'disabled' as const,
    user: request.user ?? null,
    text: {
      format:
        format === undefined
          ? { type: 'text' as const }
          : format.type === 'json_schema'
            ? {
                type: 'json_schema' as const,
                name: format.name,
                schema: format.schema ?? {},
                strict: format.strict ?? null,
              }
            : { type: format.type },
    },
    tool_choice:
      choice === undefined ? 'auto' : typeof choice === 'string' ? choice : { type: 'function', name: choice.name },
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function' as const,
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    })),
  };
};

/** A Response envelope around `output`: the lifecycle events' `response` and the complete answer alike. */
export const responseEnvelope = (
  request: ChatRequest,
  head: { id: string; model: string; created: number },
  state: { status: ResponseStatus; incomplete_details: unknown; output: unknown[]; usage: Usage | null },
) => ({
  id: head.id,
  object: 'response' as const,
  created_at: head.created,
  status: state.status,
  error: null,
  incomplete_details: state.incomplete_details,
  model: head.model,
  output: state.output,
  usage: state.usage ? toResponseUsage(state.usage) : null,
  ...echo(request),
});

/** One choice's output items: its reasoning, its message when it said anything or called nothing, its calls. */
const outputOf = (choice: Choice, ids: ReturnType<typeof responseIds>): unknown[] => {
  const items: unknown[] = [];
  (choice.reasoning ?? []).forEach((block, index) => {
    // Redacted reasoning has no Responses form a caller could send back to the provider that wrote it.
    if (block.type === 'thinking') items.push(reasoningItem(ids.reasoning(index), block.text, block.signature));
  });
  const calls = choice.toolCalls ?? [];
  const content = [
    ...(choice.content ? [outputText(choice.content)] : []),
    ...(choice.refusal ? [{ type: 'refusal' as const, refusal: choice.refusal }] : []),
  ];
  if (content.length > 0 || calls.length === 0) {
    items.push({
      id: ids.message(0),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: content.length > 0 ? content : [outputText('')],
    });
  }
  calls.forEach((call, index) => items.push(functionCallItem(ids.functionCall(index), call, 'completed')));
  return items;
};

/** Canonical response → OpenAI Response (choice 0: the Responses API has no `n`). */
export const toResponse = (response: ChatResponse & { usage: Usage }, request: ChatRequest) => {
  const ids = responseIds(response.id);
  const choice = response.choices.find((candidate) => candidate.index === 0) ?? response.choices[0];
  return responseEnvelope(
    request,
    { id: ids.response, model: response.model, created: response.created },
    {
      ...statusOf(choice?.finishReason),
      output: choice ? outputOf(choice, ids) : [],
      usage: response.usage,
    },
  );
};
