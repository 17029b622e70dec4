import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import type { ChatRequest, ContentPart, TaskType } from '@polymux/contracts';

/** A labelled prompt in OpenAI chat shape: the form of `data/classifier/*.jsonl` and the held-out file. */
export interface LabelledRow {
  source: string;
  task: TaskType;
  /** Rows of one group (a shared document or instruction frame) land in the same split. */
  group: string;
  messages: Array<{
    role: 'user' | 'system' | 'assistant';
    content: string | Array<{ type: string; text?: string; image_url?: { url: string } }>;
  }>;
  tools?: Array<{ name: string; description?: string; parameters?: Record<string, unknown> }>;
  response_format?: { type: 'json_schema'; json_schema: { name: string } };
}

export const toChatRequest = (row: LabelledRow): ChatRequest => ({
  model: 'auto',
  stream: false,
  messages: row.messages.map((message) => ({
    role: message.role,
    content:
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : message.content.map((part): ContentPart =>
            part.type === 'image_url'
              ? { type: 'image', url: part.image_url!.url }
              : { type: 'text', text: part.text ?? '' },
          ),
  })),
  ...(row.tools ? { tools: row.tools } : {}),
  ...(row.response_format
    ? { responseFormat: { type: 'json_schema', name: row.response_format.json_schema.name } }
    : {}),
});

export const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

const user = (content: string): LabelledRow['messages'] => [{ role: 'user', content }];

const ARENA_TASKS: Record<string, TaskType> = { coding: 'code', math: 'reasoning', creative_writing: 'creative' };

interface BfclRow {
  id: string;
  question: Array<Array<{ role: 'user' | 'system' | 'assistant'; content: string }>>;
  function: NonNullable<LabelledRow['tools']>;
}

/** The public development set (`../shared/data/classifier`), labels mapped as its README says. */
export const publicRows = (dir: string): LabelledRow[] => {
  const arena = readJsonl<{ uid: string; subcategory: string; prompt: string }>(
    join(dir, 'arena-hard-v2.0', 'question.jsonl'),
  ).map((row) => ({
    source: 'arena-hard-v2.0',
    task: ARENA_TASKS[row.subcategory],
    group: `arena-${row.uid}`,
    messages: user(row.prompt),
  }));
  const humanEval = gunzipSync(readFileSync(join(dir, 'human-eval', 'HumanEval.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { task_id: string; prompt: string })
    .map((row) => ({ source: 'human-eval', task: 'code' as const, group: row.task_id, messages: user(row.prompt) }));
  const gsm = readJsonl<{ question: string }>(join(dir, 'grade-school-math', 'test.jsonl')).map((row, i) => ({
    source: 'grade-school-math',
    task: 'reasoning' as const,
    group: `gsm-${i}`,
    messages: user(row.question),
  }));
  const bfcl = ['simple_python', 'multiple', 'parallel'].flatMap((set) =>
    readJsonl<BfclRow>(join(dir, 'bfcl', `BFCL_v4_${set}.json`)).map((row) => ({
      source: 'bfcl',
      task: 'agent' as const,
      group: `bfcl-${row.id}`,
      messages: row.question[0],
      tools: row.function,
    })),
  );
  return [...arena.filter((row) => row.task !== undefined), ...humanEval, ...gsm, ...bfcl];
};

/** Polymux's own labelled examples (`data/classifier/*.jsonl`). */
export const ownRows = (dir: string): LabelledRow[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      readJsonl<Omit<LabelledRow, 'source' | 'group'> & { group?: string }>(join(dir, file)).map((row, i) => ({
        ...row,
        source: 'polymux',
        group: row.group ?? `${file}-${i}`,
      })),
    );

export type Split = 'train' | 'dev' | 'test';

/** A fixed split by group: the same seed and data give the same split on every machine. */
export const splitOf = (row: LabelledRow, seed: string, test: number, dev: number): Split => {
  const unit = createHash('sha256').update(`${seed}:${row.group}`).digest().readUInt32BE(0) / 2 ** 32;
  return unit < test ? 'test' : unit < test + dev ? 'dev' : 'train';
};

/** A seeded pick of `count` rows (the same on every run), to keep one large source from dominating. */
export const sampleOf = (rows: LabelledRow[], seed: string, count: number): LabelledRow[] =>
  rows
    .map((row) => ({ row, key: createHash('sha256').update(`${seed}:${row.group}`).digest('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .slice(0, count)
    .map(({ row }) => row);
