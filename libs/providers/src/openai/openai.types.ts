/** The OpenAI Chat Completions wire format, as far as the adapter writes or reads it. */

export type OpenAiContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } }
  | { type: 'file'; file: { file_data?: string; file_id?: string; filename?: string } };

export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAiMessage =
  | { role: 'system' | 'developer' | 'user'; content: string | OpenAiContentPart[]; name?: string }
  | { role: 'assistant'; content: string | OpenAiContentPart[] | null; name?: string; tool_calls?: OpenAiToolCall[] }
  | { role: 'tool'; content: string | OpenAiContentPart[]; tool_call_id: string };

export interface OpenAiTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type OpenAiToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type OpenAiResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean } };

export interface OpenAiChatRequest {
  model: string;
  messages: OpenAiMessage[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  tools?: OpenAiTool[];
  tool_choice?: OpenAiToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: OpenAiResponseFormat;
  max_completion_tokens?: number;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  reasoning_effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high';
  stop?: string[];
  seed?: number;
  n?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  user?: string;
  [extra: string]: unknown;
}

export interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

export interface OpenAiCompletion {
  id?: string;
  model?: string;
  created?: number;
  choices?: Array<{
    index?: number;
    message?: { content?: string | null; refusal?: string | null; tool_calls?: OpenAiToolCall[] | null };
    finish_reason?: string | null;
    logprobs?: unknown;
  }>;
  usage?: OpenAiUsage | null;
  system_fingerprint?: string | null;
}

export interface OpenAiToolCallDelta {
  index?: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface OpenAiChunk {
  id?: string;
  model?: string;
  created?: number;
  choices?: Array<{
    index?: number;
    delta?: {
      role?: string;
      content?: string | null;
      refusal?: string | null;
      tool_calls?: OpenAiToolCallDelta[] | null;
    };
    finish_reason?: string | null;
    logprobs?: unknown;
  }>;
  usage?: OpenAiUsage | null;
  system_fingerprint?: string | null;
  /** Some servers report a failure inside the stream. */
  error?: { message?: string; type?: string; code?: string | number | null } | string;
}
