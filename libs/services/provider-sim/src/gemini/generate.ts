import type {
  GeminiCandidate,
  GeminiContent,
  GeminiGenerateContentRequest,
  GeminiGenerateContentResponse,
  GeminiPart,
  GeminiSchema,
  GeminiUsageMetadata,
} from '@polymux/wire';
import { createHash } from 'node:crypto';

import { textOf } from '../anthropic/message';
import { fakeJson, fakeObject } from '../fake-json';
import type { Scenario } from '../scenario';
import type { SseEvent } from '../sse-writer';

/** The simulated thought summary, one word a token. */
const THOUGHT_WORDS = ['The', ' caller', ' asks', ' about', ' gateways;', ' answer', ' briefly.'];
const CHARACTERS_PER_TOKEN = 4;
/** What Gemini bills an image or a file in the prompt. */
export const GEMINI_MEDIA_TOKENS = 258;

/**
 * The signature of a simulated thought: a hash of the part it rides on (a function call's name and
 * arguments, or every answer text up to that part), so that the simulator refuses, as Gemini does,
 * a signature sent back on another part or altered.
 */
export const geminiSignature = (content: string): string =>
  createHash('sha256').update(`polymux-sim-gemini:${content}`).digest('base64');
const callContent = (name: string, args: unknown): string => `call:${name}:${JSON.stringify(args ?? {})}`;
const textContent = (text: string): string => `text:${text}`;

/** One candidate as the simulator decides it. */
interface CandidatePlan {
  thoughts: string[];
  /** The answer text, one piece a token (JSON four characters a token). */
  text: string[];
  call?: { name: string; args: Record<string, unknown> };
  signature?: string;
  finishReason: 'STOP' | 'MAX_TOKENS' | 'SAFETY';
}

export interface GeminiPlan {
  responseId: string;
  model: string;
  candidates: CandidatePlan[];
  /** The prompt was blocked (`content-filter=prompt`): no candidate, `promptFeedback.blockReason: SAFETY`. */
  blocked?: boolean;
  /** Undefined for the `no-usage` scenario. */
  usage?: GeminiUsageMetadata;
}

const partsOf = (content: GeminiContent | undefined): GeminiPart[] => content?.parts ?? [];

/**
 * The simulator's deterministic prompt count: ceil(C / 4) + 258 × media, where C counts the
 * characters of texts (system instruction included), function calls and responses (their JSON)
 * and the tool declarations (their JSON).
 */
export const geminiPromptTokens = (request: GeminiGenerateContentRequest): number => {
  let characters = JSON.stringify(request.tools ?? []).length;
  let media = 0;
  for (const part of [...partsOf(request.systemInstruction), ...request.contents.flatMap(partsOf)]) {
    if (part.text !== undefined) characters += part.text.length;
    else if (part.functionCall) characters += callContent(part.functionCall.name, part.functionCall.args).length;
    else if (part.functionResponse) characters += JSON.stringify(part.functionResponse).length;
    else media += 1;
  }
  return Math.ceil(characters / CHARACTERS_PER_TOKEN) + GEMINI_MEDIA_TOKENS * media;
};

/** Google's `Schema` as JSON Schema, for the JSON generator. */
const jsonSchemaOf = (schema: GeminiSchema | undefined): Record<string, unknown> => {
  if (!schema) return {};
  const out: Record<string, unknown> = {};
  if (schema.type) out.type = schema.type.toLowerCase();
  if (schema.enum) out.enum = schema.enum;
  if (schema.properties)
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, jsonSchemaOf(value)]),
    );
  if (schema.required) out.required = schema.required;
  if (schema.items) out.items = jsonSchemaOf(schema.items);
  if (schema.anyOf) out.anyOf = schema.anyOf.map(jsonSchemaOf);
  for (const key of ['minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength'] as const) {
    if (schema[key] !== undefined) out[key] = Number(schema[key]);
  }
  if (schema.pattern) out.pattern = schema.pattern;
  return out;
};

/**
 * The function the answer calls: with declarations and a mode other than `NONE`, the first allowed
 * one — unless the mode is `AUTO` and the last turn brings function responses (so that a tool loop
 * ends with text).
 */
const calledFunction = (request: GeminiGenerateContentRequest) => {
  const declarations = (request.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []);
  const config = request.toolConfig?.functionCallingConfig;
  const mode = config?.mode ?? 'AUTO';
  if (declarations.length === 0 || mode === 'NONE') return undefined;
  const allowed = config?.allowedFunctionNames;
  const candidates = allowed?.length ? declarations.filter((entry) => allowed.includes(entry.name)) : declarations;
  if (mode === 'ANY' || mode === 'VALIDATED') return candidates[0];
  const answered = partsOf(request.contents.at(-1)).some((part) => part.functionResponse);
  return answered ? undefined : candidates[0];
};

const jsonPieces = (json: string): string[] => {
  const pieces: string[] = [];
  for (let at = 0; at < json.length; at += CHARACTERS_PER_TOKEN) pieces.push(json.slice(at, at + CHARACTERS_PER_TOKEN));
  return pieces;
};

export const planGeneration = (
  request: GeminiGenerateContentRequest,
  model: string,
  scenario: Scenario,
  responseId: string,
): GeminiPlan => {
  const config = request.generationConfig ?? {};
  const thinking = config.thinkingConfig;
  const thinks = thinking !== undefined && thinking.thinkingBudget !== 0;
  const limit = config.maxOutputTokens ?? Number.MAX_SAFE_INTEGER;
  const thoughtCount = thinks ? Math.min(scenario.reasoningTokens ?? THOUGHT_WORDS.length, limit) : 0;
  const thoughts =
    thinks && thinking.includeThoughts ? THOUGHT_WORDS.slice(0, Math.min(thoughtCount, THOUGHT_WORDS.length)) : [];
  const room = Math.max(limit - thoughtCount, 0);
  const declaration = calledFunction(request);
  const one = (): CandidatePlan => {
    if (declaration) {
      const args = fakeObject(jsonSchemaOf(declaration.parameters), declaration.name);
      const signature = thinks ? geminiSignature(callContent(declaration.name, args)) : undefined;
      return { thoughts, text: [], call: { name: declaration.name, args }, signature, finishReason: 'STOP' };
    }
    const json = config.responseMimeType === 'application/json';
    const wanted = json ? Number.MAX_SAFE_INTEGER : Math.min(scenario.tokens, room);
    const schema = jsonSchemaOf(config.responseSchema ?? { type: 'OBJECT' });
    const { pieces, stopSequence } = json
      ? { pieces: jsonPieces(fakeJson(schema, `json:${config.seed ?? 0}`)), stopSequence: undefined }
      : textOf(wanted, config.stopSequences ?? []);
    const stopped = stopSequence !== undefined;
    const text = pieces.slice(0, room);
    const signature = thinks && text.length > 0 ? geminiSignature(textContent(text.join(''))) : undefined;
    const cut = !stopped && (text.length < pieces.length || (!json && wanted < scenario.tokens));
    // `content-filter=completion`: the safety filter stops the candidate half-way.
    if (scenario.contentFilter === 'completion') {
      const kept = text.slice(0, Math.floor(text.length / 2));
      return { thoughts, text: kept, finishReason: 'SAFETY' };
    }
    return { thoughts, text, signature, finishReason: cut ? 'MAX_TOKENS' : 'STOP' };
  };
  const prompt = geminiPromptTokens(request);
  if (scenario.contentFilter === 'prompt') {
    const usage = { promptTokenCount: prompt, totalTokenCount: prompt };
    return { responseId, model, candidates: [], blocked: true, ...(scenario.noUsage ? {} : { usage }) };
  }
  const candidates = Array.from({ length: config.candidateCount ?? 1 }, one);
  const outputOf = (plan: CandidatePlan) =>
    plan.call ? Math.ceil(callContent(plan.call.name, plan.call.args).length / CHARACTERS_PER_TOKEN) : plan.text.length;
  const output = candidates.reduce((sum, plan) => sum + outputOf(plan), 0);
  const thoughtsTokenCount = thinks ? thoughtCount * candidates.length : undefined;
  const usage: GeminiUsageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: output,
    totalTokenCount: prompt + output + (thoughtsTokenCount ?? 0),
    ...(scenario.cachedTokens !== undefined
      ? { cachedContentTokenCount: Math.min(scenario.cachedTokens, prompt) }
      : {}),
    ...(thoughtsTokenCount !== undefined ? { thoughtsTokenCount } : {}),
  };
  return { responseId, model, candidates, ...(scenario.noUsage ? {} : { usage }) };
};

const candidateOf = (plan: CandidatePlan, index: number, parts: GeminiPart[], last: boolean): GeminiCandidate => ({
  content: { role: 'model', parts },
  index,
  ...(last ? { finishReason: plan.finishReason } : {}),
});

const answerParts = (plan: CandidatePlan): GeminiPart[] => {
  const parts: GeminiPart[] = plan.thoughts.length > 0 ? [{ text: plan.thoughts.join(''), thought: true }] : [];
  if (plan.call)
    parts.push({ functionCall: plan.call, ...(plan.signature ? { thoughtSignature: plan.signature } : {}) });
  else if (plan.text.length > 0)
    parts.push({ text: plan.text.join(''), ...(plan.signature ? { thoughtSignature: plan.signature } : {}) });
  return parts;
};

/** The body of a non-streaming answer. */
export const generationBody = (plan: GeminiPlan): GeminiGenerateContentResponse => ({
  candidates: plan.candidates.map((candidate, index) => candidateOf(candidate, index, answerParts(candidate), true)),
  ...(plan.blocked ? { promptFeedback: { blockReason: 'SAFETY' } } : {}),
  ...(plan.usage ? { usageMetadata: plan.usage } : {}),
  modelVersion: plan.model,
  responseId: plan.responseId,
});

/**
 * The chunks of a streamed answer, as Gemini sends them: each a whole `GenerateContentResponse`
 * with the next part of one candidate — each thought word, each text piece, the function call whole
 * with its signature, the last text piece with the signature of the whole text — the last chunk of
 * each candidate with its finish reason; the prompt's usage on every chunk, the whole usage on the last.
 */
export function* generationChunks(plan: GeminiPlan): Generator<GeminiGenerateContentResponse & { token: boolean }> {
  const promptUsage = plan.usage
    ? { promptTokenCount: plan.usage.promptTokenCount, totalTokenCount: plan.usage.promptTokenCount }
    : undefined;
  const chunk = (candidate: GeminiCandidate, last: boolean, token: boolean) => ({
    candidates: [candidate],
    ...(last && plan.usage ? { usageMetadata: plan.usage } : promptUsage ? { usageMetadata: promptUsage } : {}),
    modelVersion: plan.model,
    responseId: plan.responseId,
    token,
  });
  // A blocked prompt is one chunk: its feedback and usage, no candidate.
  if (plan.blocked) yield { ...generationBody(plan), candidates: undefined, token: false };
  for (const [index, candidate] of plan.candidates.entries()) {
    const final = index === plan.candidates.length - 1;
    const parts: Array<{ part: GeminiPart; token: boolean }> = [
      ...candidate.thoughts.map((word) => ({ part: { text: word, thought: true }, token: true })),
      ...candidate.text.map((piece, at) => ({
        part:
          at === candidate.text.length - 1 && candidate.signature
            ? { text: piece, thoughtSignature: candidate.signature }
            : { text: piece },
        token: true,
      })),
      ...(candidate.call
        ? [
            {
              part: {
                functionCall: candidate.call,
                ...(candidate.signature ? { thoughtSignature: candidate.signature } : {}),
              },
              token: true,
            },
          ]
        : []),
    ];
    if (parts.length === 0) parts.push({ part: { text: '' }, token: false });
    for (const [at, { part, token }] of parts.entries()) {
      const last = at === parts.length - 1;
      yield chunk(candidateOf(candidate, index, [part], last), last && final, token);
    }
  }
}

/** The streamed chunks as SSE events (`data: <chunk>`, no event names, as Gemini sends them). */
export function* generationEvents(plan: GeminiPlan): Generator<SseEvent> {
  for (const { token, ...chunk } of generationChunks(plan)) yield { data: JSON.stringify(chunk), token };
}

/**
 * The rules Gemini checks beyond the shape of the body, as a message, or undefined when the request
 * is valid: allowed function names among the declarations, as many function responses as the model
 * turn before had calls, and every thought signature sent back on the part it was written for.
 */
export const geminiRuleViolation = (request: GeminiGenerateContentRequest): string | undefined => {
  const declared = new Set(
    (request.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []).map((entry) => entry.name),
  );
  for (const name of request.toolConfig?.functionCallingConfig?.allowedFunctionNames ?? []) {
    if (!declared.has(name)) return `allowed_function_names: function ${name} is not declared.`;
  }
  for (const [position, content] of request.contents.entries()) {
    const responses = content.parts.filter((part) => part.functionResponse).length;
    const previous = request.contents[position - 1];
    const calls = previous?.role === 'model' ? previous.parts.filter((part) => part.functionCall).length : 0;
    if (responses > 0 && responses !== calls)
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    if (content.role !== 'model') continue;
    let text = '';
    for (const [index, part] of content.parts.entries()) {
      if (part.text !== undefined && !part.thought) text += part.text;
      if (!part.thoughtSignature) continue;
      const signed = part.functionCall
        ? callContent(part.functionCall.name, part.functionCall.args)
        : textContent(text);
      if (part.thoughtSignature !== geminiSignature(signed))
        return `contents[${position}].parts[${index}]: Thought signature is not valid.`;
    }
  }
  return undefined;
};
