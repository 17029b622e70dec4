import type { OpenAiChatCompletion, OpenAiChatRequest, OpenAiToolCall, OpenAiUsage } from '@polymux/wire';

import type { Scenario } from '../scenario';
import { fakeJson } from '../fake-json';
import { CHARACTERS_PER_TOKEN, promptTokens } from './prompt-tokens';
import { reasoningTokensFor, showsReasoning } from './reasoning-model';

const WORDS = [
  'polymux',
  'routes',
  'every',
  'call',
  'through',
  'the',
  'simulated',
  'provider',
  'with',
  'exact',
  'usage',
];
const SYSTEM_FINGERPRINT = 'fp_polymux_sim';
/** The log probability the simulator reports for every token it writes: it is always sure. */
const LOGPROB = -0.0001;

/** The text of completion token `index`: deterministic words, space-separated. */
export const tokenText = (index: number): string => `${index === 0 ? '' : ' '}${WORDS[index % WORDS.length]}`;

export const generatedText = (tokens: number): string => {
  let text = '';
  for (let index = 0; index < tokens; index += 1) text += tokenText(index);
  return text;
};

/** JSON is written (and streamed, and billed) four characters to a token, like `promptTokens` counts. */
const fragmentsOf = (json: string): string[] => {
  const fragments: string[] = [];
  for (let start = 0; start < json.length; start += CHARACTERS_PER_TOKEN) {
    fragments.push(json.slice(start, start + CHARACTERS_PER_TOKEN));
  }
  return fragments.length > 0 ? fragments : [''];
};

/** The usage the simulator writes: every count OpenAI's own answers carry (a type, so that it is wire usage too). */
export type SimUsage = OpenAiUsage & {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
};

/** One tool call of the answer; its arguments are streamed (and billed) fragment by fragment. */
export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
  fragments: string[];
}

/** Everything about one completion the simulator decides before it answers. */
export interface CompletionPlan {
  id: string;
  created: number;
  model: string;
  choices: number;
  /** Content tokens per choice; zero when answering with tool calls. */
  tokens: number;
  /** The content of each choice, one completion token per fragment; empty with tool calls. */
  content: string[];
  /** The tool calls of each choice, in order; empty when answering with text. */
  toolCalls: PlannedToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** The visible reasoning of a DeepSeek thinking model, one reasoning token per fragment; empty otherwise. */
  reasoning: string[];
  /** Azure's content-filter annotations (`prompt_filter_results`, `content_filter_results`) on the answer. */
  filterResults: boolean;
  includeUsage: boolean;
  /** False for the `no-usage` scenario: the answer carries no usage at all. */
  reportUsage: boolean;
  /** `top_logprobs` when the request asked for logprobs. */
  logprobs?: number;
  usage: SimUsage;
}

/** DeepSeek also splits the prompt into cache hits and misses, in fields of its own. */
const usageOf = (
  prompt: number,
  completion: number,
  cached: number,
  reasoning: number,
  deepseek = false,
): SimUsage => ({
  ...(deepseek ? { prompt_cache_hit_tokens: cached, prompt_cache_miss_tokens: prompt - cached } : {}),
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: reasoning,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
});

type RequestTool = NonNullable<OpenAiChatRequest['tools']>[number];

/**
 * The tools the answer calls: none without tools or with `tool_choice: none`; the named one; none
 * under `auto` once the last message is a tool result (the model answers it, so tool loops end);
 * otherwise every tool, in order — one parallel call each — or only the first with
 * `parallel_tool_calls: false`.
 */
export const calledTools = (request: OpenAiChatRequest): RequestTool[] => {
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === 'none') return [];
  if (typeof choice === 'object' && choice) {
    const named = tools.find((tool) => tool.function.name === choice.function.name);
    return [named ?? { type: 'function', function: { name: choice.function.name } }];
  }
  if (choice !== 'required' && request.messages.at(-1)?.role === 'tool') return [];
  return request.parallel_tool_calls === false ? tools.slice(0, 1) : tools;
};

/** The content fragments of a text answer: JSON for a JSON response format, words otherwise. */
const contentOf = (request: OpenAiChatRequest, scenario: Scenario): string[] => {
  const format = request.response_format;
  const seed = String(request.seed ?? 0);
  if (format?.type === 'json_schema') {
    return fragmentsOf(fakeJson(format.json_schema.schema ?? undefined, `${seed}:${format.json_schema.name}`));
  }
  if (format?.type === 'json_object') return fragmentsOf(JSON.stringify({ answer: generatedText(scenario.tokens) }));
  if (scenario.reply !== undefined) return [scenario.reply];
  return Array.from({ length: scenario.tokens }, (_, index) => tokenText(index));
};

/** Fragments within `budget` tokens, the first ones first; whether all of them fit. */
const within = <T>(items: T[], budget: number, size: (item: T) => number): { kept: T[]; complete: boolean } => {
  const kept: T[] = [];
  let left = budget;
  for (const item of items) {
    if (size(item) > left) return { kept, complete: false };
    kept.push(item);
    left -= size(item);
  }
  return { kept, complete: true };
};

/** Tokens a choice writes before `content-filter=completion` cuts it. */
const FILTERED_AFTER = 2;

export const planCompletion = (
  request: OpenAiChatRequest,
  scenario: Scenario,
  ids: { id: string; created: number },
  options: { filterResults?: boolean } = {},
): CompletionPlan => {
  const choices = request.n ?? 1;
  const limit = request.max_completion_tokens ?? request.max_tokens ?? Infinity;
  // Reasoning comes first and counts against the limit, as with OpenAI's reasoning models.
  const reasoning = Math.min(reasoningTokensFor(request, scenario), limit);
  const budget = limit - reasoning;
  const seed = String(request.seed ?? 0);
  const base = ids.id.replace(/^chatcmpl-/, '');
  const planned = calledTools(request).map((tool, index): PlannedToolCall => {
    const args = fakeJson(tool.function.parameters ?? undefined, `${seed}:${tool.function.name}`);
    return { id: `call_${base}_${index}`, name: tool.function.name, arguments: args, fragments: fragmentsOf(args) };
  });
  const calls = within(planned, budget, (call) => call.fragments.length);
  const filtered = scenario.contentFilter === 'completion';
  const written = planned.length > 0 ? [] : contentOf(request, scenario);
  const wanted = filtered ? written.slice(0, FILTERED_AFTER) : written;
  const content = within(wanted, budget, () => 1);
  const perChoice =
    planned.length > 0 ? calls.kept.reduce((sum, call) => sum + call.fragments.length, 0) : content.kept.length;
  const prompt = promptTokens(request.messages, {
    model: request.model,
    tools: request.tools,
    response_format: request.response_format,
  });
  const complete = planned.length > 0 ? calls.complete : content.complete;
  const finish = !complete ? 'length' : planned.length > 0 ? 'tool_calls' : 'stop';
  return {
    ...ids,
    model: request.model,
    choices,
    tokens: content.kept.length,
    content: content.kept,
    toolCalls: calls.kept,
    finishReason: filtered && planned.length === 0 ? 'content_filter' : finish,
    reasoning: showsReasoning(request.model) ? Array.from({ length: reasoning }, (_, index) => tokenText(index)) : [],
    filterResults: options.filterResults === true,
    includeUsage: request.stream_options?.include_usage === true && !scenario.noUsage,
    reportUsage: !scenario.noUsage,
    ...(request.logprobs ? { logprobs: request.top_logprobs ?? 0 } : {}),
    usage: usageOf(
      prompt,
      (perChoice + reasoning) * choices,
      Math.min(scenario.cachedTokens ?? 0, prompt),
      reasoning * choices,
      /^deepseek/.test(request.model),
    ),
  };
};

/** OpenAI's log probability of one token, with `top` alternatives (the token itself, then nothing likelier). */
const logprobOf = (token: string, top: number) => {
  const entry = { token, logprob: LOGPROB, bytes: [...Buffer.from(token, 'utf8')] };
  return {
    ...entry,
    top_logprobs: Array.from({ length: top }, (_, rank) => ({ ...entry, logprob: LOGPROB * (rank + 1) })),
  };
};

const logprobsOf = (plan: CompletionPlan, tokens: string[]) =>
  plan.logprobs === undefined
    ? null
    : { content: tokens.map((token) => logprobOf(token, plan.logprobs ?? 0)), refusal: null };

const toolCallsOf = (plan: CompletionPlan): OpenAiToolCall[] | undefined =>
  plan.toolCalls.length > 0
    ? plan.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.fragments.join('') },
      }))
    : undefined;

/** Azure's annotation of a text that passed every filter. */
const FILTERS = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

/** A choice's annotation: the violence filter fired when the scenario cut it. */
const filtersOf = (plan: CompletionPlan) =>
  plan.finishReason === 'content_filter' ? { ...FILTERS, violence: { filtered: true, severity: 'high' } } : FILTERS;

/** The `chat.completion` body of a non-streaming answer, in the wire format the adapter reads. */
export const completionBody = (plan: CompletionPlan) => {
  const content = plan.toolCalls.length > 0 ? null : plan.content.join('');
  const body = {
    id: plan.id,
    object: 'chat.completion' as const,
    created: plan.created,
    model: plan.model,
    ...(plan.filterResults ? { prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTERS }] } : {}),
    choices: Array.from({ length: plan.choices }, (_, index) => ({
      index,
      message: {
        role: 'assistant' as const,
        content,
        ...(plan.reasoning.length > 0 ? { reasoning_content: plan.reasoning.join('') } : {}),
        refusal: null,
        tool_calls: toolCallsOf(plan),
        annotations: [],
      },
      ...(plan.filterResults ? { content_filter_results: filtersOf(plan) } : {}),
      logprobs: logprobsOf(plan, plan.content),
      finish_reason: plan.finishReason,
    })),
    ...(plan.reportUsage ? { usage: plan.usage } : {}),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  return body satisfies OpenAiChatCompletion;
};

/** One SSE event of a streamed answer; `token` events are the ones paced by the `rate` knob. */
export interface StreamEvent {
  data: string;
  token: boolean;
}

const DONE: StreamEvent = { data: '[DONE]', token: false };

const header = (call: PlannedToolCall, index: number) => ({
  index,
  id: call.id,
  type: 'function',
  function: { name: call.name, arguments: '' },
});

/**
 * The events of a streamed answer, in order: a role delta per choice (with the first tool call's
 * header when calling tools), the content deltas — or, call by call, each tool call's header (from
 * the second on) and its argument fragments, every delta naming its call's `index` —, a final chunk
 * per choice with `finish_reason`, the usage chunk with empty `choices` when
 * `stream_options.include_usage` is set, then `[DONE]`.
 */
export function* streamEvents(plan: CompletionPlan): Generator<StreamEvent> {
  const head = `{"id":"${plan.id}","object":"chat.completion.chunk","created":${plan.created},"model":${JSON.stringify(plan.model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}",`;
  const usageNull = plan.includeUsage ? ',"usage":null' : '';
  const chunk = (
    index: number,
    delta: object,
    finishReason: string | null,
    token: boolean,
    logprobs: unknown = null,
  ): StreamEvent => ({
    data: `${head}"choices":[${JSON.stringify({ index, delta, logprobs, finish_reason: finishReason })}]${usageNull}}`,
    token,
  });
  const first = plan.toolCalls[0];
  if (plan.filterResults) {
    // Azure's first event: the prompt's filter results, no choices, an empty id and model.
    yield {
      data: JSON.stringify({
        id: '',
        object: '',
        created: 0,
        model: '',
        choices: [],
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTERS }],
      }),
      token: false,
    };
  }
  for (let index = 0; index < plan.choices; index += 1) {
    const opening = first
      ? { role: 'assistant', content: null, tool_calls: [header(first, 0)], refusal: null }
      : { role: 'assistant', content: '', refusal: null };
    yield chunk(index, opening, null, false);
  }
  for (const fragment of plan.reasoning) {
    for (let index = 0; index < plan.choices; index += 1) {
      yield chunk(index, { reasoning_content: fragment }, null, true);
    }
  }
  for (const [position, call] of plan.toolCalls.entries()) {
    if (position > 0) {
      for (let index = 0; index < plan.choices; index += 1) {
        yield chunk(index, { tool_calls: [header(call, position)] }, null, false);
      }
    }
    for (const fragment of call.fragments) {
      for (let index = 0; index < plan.choices; index += 1) {
        yield chunk(index, { tool_calls: [{ index: position, function: { arguments: fragment } }] }, null, true);
      }
    }
  }
  for (const fragment of plan.content) {
    for (let index = 0; index < plan.choices; index += 1) {
      yield chunk(index, { content: fragment }, null, true, logprobsOf(plan, [fragment]));
    }
  }
  for (let index = 0; index < plan.choices; index += 1) yield chunk(index, {}, plan.finishReason, false);
  if (plan.includeUsage) yield { data: `${head}"choices":[],"usage":${JSON.stringify(plan.usage)}}`, token: false };
  yield DONE;
}
