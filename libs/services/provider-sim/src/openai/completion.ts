import type { Scenario } from '../scenario';
import type { ChatCompletionRequest } from './openai.schema';
import { promptTokens } from './prompt-tokens';

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
/** A tool call's arguments are streamed as one fragment, which counts as one completion token. */
const TOOL_CALL_ARGUMENTS = '{}';

/** The text of completion token `index`: deterministic words, space-separated. */
export const tokenText = (index: number): string => `${index === 0 ? '' : ' '}${WORDS[index % WORDS.length]}`;

export const generatedText = (tokens: number): string => {
  let text = '';
  for (let index = 0; index < tokens; index += 1) text += tokenText(index);
  return text;
};

export interface OpenAiUsage {
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
}

/** Everything about one completion the simulator decides before it answers. */
export interface CompletionPlan {
  id: string;
  created: number;
  model: string;
  choices: number;
  /** Content tokens per choice; zero when answering with a tool call. */
  tokens: number;
  toolCall?: { id: string; name: string; arguments: string };
  finishReason: 'stop' | 'length' | 'tool_calls';
  includeUsage: boolean;
  /** False for the `no-usage` scenario: the answer carries no usage at all. */
  reportUsage: boolean;
  usage: OpenAiUsage;
}

const usageOf = (prompt: number, completion: number): OpenAiUsage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
});

const calledTool = (request: ChatCompletionRequest): string | undefined => {
  const choice = request.tool_choice;
  if (!request.tools?.length || choice === 'none') return undefined;
  if (typeof choice === 'object' && choice) return choice.function.name;
  return request.tools[0]?.function.name;
};

export const planCompletion = (
  request: ChatCompletionRequest,
  scenario: Scenario,
  ids: { id: string; created: number },
): CompletionPlan => {
  const choices = request.n ?? 1;
  const tool = calledTool(request);
  const limit = request.max_completion_tokens ?? request.max_tokens ?? Infinity;
  const tokens = tool ? 0 : Math.min(scenario.tokens, limit);
  const perChoice = tool ? 1 : tokens;
  return {
    ...ids,
    model: request.model,
    choices,
    tokens,
    toolCall: tool
      ? { id: `call_${ids.id.replace(/^chatcmpl-/, '')}`, name: tool, arguments: TOOL_CALL_ARGUMENTS }
      : undefined,
    finishReason: tool ? 'tool_calls' : tokens < scenario.tokens ? 'length' : 'stop',
    includeUsage: request.stream_options?.include_usage === true && !scenario.noUsage,
    reportUsage: !scenario.noUsage,
    usage: usageOf(
      promptTokens(request.messages, {
        model: request.model,
        tools: request.tools,
        response_format: request.response_format,
      }),
      perChoice * choices,
    ),
  };
};

const toolCallsOf = (plan: CompletionPlan) =>
  plan.toolCall
    ? [
        {
          id: plan.toolCall.id,
          type: 'function',
          function: { name: plan.toolCall.name, arguments: plan.toolCall.arguments },
        },
      ]
    : undefined;

/** The `chat.completion` body of a non-streaming answer. */
export const completionBody = (plan: CompletionPlan) => {
  const content = plan.toolCall ? null : generatedText(plan.tokens);
  return {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices: Array.from({ length: plan.choices }, (_, index) => ({
      index,
      message: { role: 'assistant', content, refusal: null, tool_calls: toolCallsOf(plan), annotations: [] },
      logprobs: null,
      finish_reason: plan.finishReason,
    })),
    ...(plan.reportUsage ? { usage: plan.usage } : {}),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
};

/** One SSE event of a streamed answer; `token` events are the ones paced by the `rate` knob. */
export interface StreamEvent {
  data: string;
  token: boolean;
}

const DONE: StreamEvent = { data: '[DONE]', token: false };

/**
 * The events of a streamed answer, in order: a role delta per choice, the content (or tool-call
 * argument) deltas, a final chunk per choice with `finish_reason`, the usage chunk with empty
 * `choices` when `stream_options.include_usage` is set, then `[DONE]`.
 */
export function* streamEvents(plan: CompletionPlan): Generator<StreamEvent> {
  const head = `{"id":"${plan.id}","object":"chat.completion.chunk","created":${plan.created},"model":${JSON.stringify(plan.model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}",`;
  const usageNull = plan.includeUsage ? ',"usage":null' : '';
  const chunk = (index: number, delta: object, finishReason: string | null, token: boolean): StreamEvent => ({
    data: `${head}"choices":[${JSON.stringify({ index, delta, logprobs: null, finish_reason: finishReason })}]${usageNull}}`,
    token,
  });
  const toolCall = plan.toolCall;
  for (let index = 0; index < plan.choices; index += 1) {
    const opening = toolCall
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            { index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } },
          ],
          refusal: null,
        }
      : { role: 'assistant', content: '', refusal: null };
    yield chunk(index, opening, null, false);
  }
  if (toolCall) {
    for (let index = 0; index < plan.choices; index += 1) {
      yield chunk(index, { tool_calls: [{ index: 0, function: { arguments: toolCall.arguments } }] }, null, true);
    }
  }
  for (let token = 0; token < plan.tokens; token += 1) {
    for (let index = 0; index < plan.choices; index += 1) yield chunk(index, { content: tokenText(token) }, null, true);
  }
  for (let index = 0; index < plan.choices; index += 1) yield chunk(index, {}, plan.finishReason, false);
  if (plan.includeUsage) yield { data: `${head}"choices":[],"usage":${JSON.stringify(plan.usage)}}`, token: false };
  yield DONE;
}
