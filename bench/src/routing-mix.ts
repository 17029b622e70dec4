import type { ChatRequest, Message, TaskType } from '@polymux/contracts';
import { intakeOf } from '@polymux/contracts';

import {
  AGENT_SYSTEM,
  AGENT_TASK,
  AGENT_TOOLS,
  CHAT_SYSTEM,
  CHAT_TURNS,
  CODE_FILE,
  CODE_INSTRUCTION,
  EXTRACTION_INSTRUCTION,
  EXTRACTION_SCHEMA,
  REASONING_PROBLEM,
  REPORT_PARAGRAPHS,
  SUMMARY_INSTRUCTION,
  TRANSLATION_TEXT,
  VISION_IMAGE_URL,
  VISION_QUESTION,
  invoiceThread,
  orderResult,
} from './routing-texts';

/**
 * One kind of request in the routing benchmark: its body, the task it is meant as, how many of a
 * workload of 1,000 requests it makes up, and the tokens it is priced at. The bodies are built to
 * about `inputTokens` by the edge's estimate (`intakeOf`), so the classifier and the router see a
 * request of the stated size. The mix is chosen to look like a general-purpose gateway's traffic;
 * it is an assumption, not a measurement of anyone's traffic.
 */
export interface RequestKind {
  kind: string;
  /** What the request is, for the report. */
  label: string;
  /** The task it was written as (the classifier decides what it is routed as). */
  intended: TaskType;
  count: number;
  inputTokens: number;
  outputTokens: number;
  request: ChatRequest;
}

const text = (value: string) => [{ type: 'text' as const, text: value }];
const user = (value: string): Message => ({ role: 'user', content: text(value) });

/** A request as a caller of `auto` sends it, asking for at most twice the answer it gets. */
const auto = (messages: Message[], outputTokens: number, fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'auto',
  messages,
  stream: false,
  maxOutputTokens: outputTokens * 2,
  ...fields,
});

/** The edge's input-token estimate of a request (what the classifier and the router read). */
export const estimatedInputTokens = (request: ChatRequest): number => intakeOf(request).signals.estimatedInputTokens;

/** The first body `build(n)`, n = 1, 2, …, whose estimate reaches `tokens`: a document grown to size. */
const grown = (tokens: number, build: (n: number) => ChatRequest): ChatRequest => {
  for (let n = 1; ; n++) {
    const request = build(n);
    if (estimatedInputTokens(request) >= tokens) return request;
  }
};

const report = (paragraphs: number) =>
  Array.from({ length: paragraphs }, (_, index) => REPORT_PARAGRAPHS[index % REPORT_PARAGRAPHS.length]).join('\n\n');

const kind = (fields: Omit<RequestKind, 'request'>, build: (outputTokens: number) => ChatRequest): RequestKind => ({
  ...fields,
  request: build(fields.outputTokens),
});

/** The mixed workload: 1,000 requests of eight kinds. */
export const MIX: readonly RequestKind[] = [
  kind(
    { kind: 'chat', label: 'simple chat (3 turns)', intended: 'chat', count: 350, inputTokens: 120, outputTokens: 150 },
    (output) =>
      auto(
        [
          { role: 'system', content: text(CHAT_SYSTEM) },
          user(CHAT_TURNS[0]!),
          { role: 'assistant', content: text(CHAT_TURNS[1]!) },
          user(CHAT_TURNS[2]!),
        ],
        output,
      ),
  ),
  kind(
    {
      kind: 'summarization',
      label: 'summarise a long report',
      intended: 'summarization',
      count: 100,
      inputTokens: 4_000,
      outputTokens: 300,
    },
    (output) => grown(4_000, (n) => auto([user(`${SUMMARY_INSTRUCTION}\n\n${report(n)}`)], output)),
  ),
  kind(
    { kind: 'code', label: 'fix a bug, add tests', intended: 'code', count: 150, inputTokens: 400, outputTokens: 900 },
    (output) => auto([user(`${CODE_INSTRUCTION}\n\n${CODE_FILE}`)], output),
  ),
  kind(
    {
      kind: 'reasoning',
      label: 'hard reasoning (probability, with proof)',
      intended: 'reasoning',
      count: 60,
      inputTokens: 160,
      outputTokens: 2_000,
    },
    (output) => auto([user(REASONING_PROBLEM)], output),
  ),
  kind(
    {
      kind: 'extraction',
      label: 'invoices to JSON (json_schema)',
      intended: 'extraction',
      count: 100,
      inputTokens: 1_200,
      outputTokens: 400,
    },
    (output) =>
      grown(1_200, (n) =>
        auto([user(`${EXTRACTION_INSTRUCTION}\n${invoiceThread(n)}`)], output, {
          responseFormat: { type: 'json_schema', name: 'invoices', schema: EXTRACTION_SCHEMA, strict: true },
        }),
      ),
  ),
  kind(
    {
      kind: 'translation',
      label: 'translate an announcement',
      intended: 'translation',
      count: 80,
      inputTokens: 240,
      outputTokens: 330,
    },
    (output) => auto([user(TRANSLATION_TEXT)], output),
  ),
  kind(
    {
      kind: 'agent',
      label: 'agent turn with 4 tools',
      intended: 'agent',
      count: 100,
      inputTokens: 2_500,
      outputTokens: 200,
    },
    (output) =>
      grown(2_500, (n) =>
        auto(
          [
            { role: 'system', content: text(AGENT_SYSTEM) },
            user(AGENT_TASK),
            {
              role: 'assistant',
              content: [],
              toolCalls: [{ id: 'call_1', name: 'get_order', arguments: '{"orderId":"A-1093"}' }],
            },
            { role: 'tool', toolCallId: 'call_1', content: text(orderResult(n)) },
          ],
          output,
          { tools: AGENT_TOOLS, toolChoice: 'auto' },
        ),
      ),
  ),
  kind(
    {
      kind: 'vision',
      label: 'photo of a receipt + question',
      intended: 'vision',
      count: 60,
      inputTokens: 1_030,
      outputTokens: 200,
    },
    (output) =>
      auto(
        [
          {
            role: 'user',
            content: [...text(VISION_QUESTION), { type: 'image', url: VISION_IMAGE_URL, detail: 'auto' }],
          },
        ],
        output,
      ),
  ),
];
