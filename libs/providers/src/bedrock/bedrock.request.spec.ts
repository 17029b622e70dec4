import type { ChatRequest, Message } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import { BedrockConverseRequest } from '@polymux/wire';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { JSON_TOOL } from '../anthropic/anthropic.request';
import { documentName, isClaudeOnBedrock, toBedrockRequest } from './bedrock.request';

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA = 'amazon.nova-pro-v1:0';
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const base: ChatRequest = { model: 'm', messages: [user('hi')], stream: false };
/** The body, checked against the wire schema the simulator validates with. */
const bodyOf = (request: ChatRequest, model = CLAUDE, defaultMaxTokens = 4_096) => {
  const call = toBedrockRequest(request, { model, defaultMaxTokens });
  return { ...call, body: BedrockConverseRequest.parse(JSON.parse(JSON.stringify(call.body))) };
};
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const topSong = {
  name: 'top_song',
  description: 'Get the most popular song played on a radio station.',
  parameters: {
    type: 'object',
    properties: {
      sign: {
        type: 'string',
        description:
          'The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP.',
      },
    },
    required: ['sign'],
  },
};

describe('toBedrockRequest', () => {
  it("writes the User Guide's tool-use request", () => {
    const { body } = bodyOf({ ...base, messages: [user('What is the most popular song on WZPZ?')], tools: [topSong] });
    expect(body).toEqual({
      ...(fixture('converse-tool-use.request.json') as object),
      inferenceConfig: { maxTokens: 4_096 },
    });
  });

  it('accepts every recorded request as the wire schema the simulator validates with', () => {
    for (const name of ['converse-tool-use.request.json', 'converse-tool-result.request.json'])
      expect(BedrockConverseRequest.safeParse(fixture(name)).success).toBe(true);
  });

  it('sends system texts as system blocks, the sampling settings as inferenceConfig, a temperature capped at 1', () => {
    const { body } = bodyOf({
      ...base,
      messages: [{ role: 'system', content: [{ type: 'text', text: 'Be terse.' }] }, user('hi')],
      maxOutputTokens: 100,
      temperature: 1.7,
      topP: 0.9,
      stop: ['END'],
    });
    expect(body.system).toEqual([{ text: 'Be terse.' }]);
    expect(body.inferenceConfig).toEqual({ maxTokens: 100, temperature: 1, topP: 0.9, stopSequences: ['END'] });
  });

  it('merges same-role turns, tool results first, and places cache points after cached parts', () => {
    const call = { id: 'call:1', name: 'ns.lookup', arguments: '{"q":"x"}' };
    const { body, names } = bodyOf({
      ...base,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'sys', cacheControl: { type: 'ephemeral' } }] },
        user('a'),
        { role: 'assistant', content: [{ type: 'text', text: 'calling' }], toolCalls: [call] },
        { role: 'tool', toolCallId: 'call:1', content: [{ type: 'text', text: 'found' }] },
        user('and?'),
      ],
      tools: [{ name: 'ns.lookup', parameters: { type: 'object' } }],
    });
    expect(body.system).toEqual([{ text: 'sys' }, { cachePoint: { type: 'default' } }]);
    const id = names.id('call:1');
    expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(names.callerId(id)).toBe('call:1');
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'a' }] },
      {
        role: 'assistant',
        content: [
          { text: 'calling' },
          { toolUse: { toolUseId: id, name: names.name('ns.lookup'), input: { q: 'x' } } },
        ],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: id, content: [{ text: 'found' }] } }, { text: 'and?' }] },
    ]);
    expect(names.callerName(names.name('ns.lookup'))).toBe('ns.lookup');
  });

  it('inlines images and documents as bytes with a sanitised document name, and refuses URLs it would fetch', () => {
    const { body } = bodyOf({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', url: `data:image/png;base64,${PIXEL}` },
            {
              type: 'document',
              url: 'data:application/pdf;base64,JVBERi0=',
              mediaType: 'application/pdf',
              filename: 'q3_report.v2.pdf',
            },
            { type: 'document', url: 'data:text/plain,hello%20world', mediaType: 'text/plain' },
          ],
        },
      ],
    });
    expect(body.messages[0]?.content).toEqual([
      { image: { format: 'png', source: { bytes: PIXEL } } },
      { document: { format: 'pdf', name: 'q3-report-v2-pdf', source: { bytes: 'JVBERi0=' } } },
      {
        document: {
          format: 'txt',
          name: 'document-2',
          source: { bytes: Buffer.from('hello world').toString('base64') },
        },
      },
    ]);
    const remote = {
      ...base,
      messages: [{ role: 'user' as const, content: [{ type: 'image' as const, url: 'https://x.test/a.png' }] }],
    };
    expect(() => bodyOf(remote)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidRequest }));
    const tiff = {
      ...base,
      messages: [{ role: 'user' as const, content: [{ type: 'image' as const, url: 'data:image/tiff;base64,AA==' }] }],
    };
    expect(() => bodyOf(tiff)).toThrow('Bedrock reads png, jpeg, gif and webp images, not image/tiff');
  });

  it('names documents as Bedrock allows', () => {
    expect(documentName('  My  report (final) [v2].docx ', 1)).toBe('My report (final) [v2]-docx');
    expect(documentName('日本語', 3)).toBe('---');
    expect(documentName('', 3)).toBe('document-3');
  });

  it("carries a failed tool result's status and its images to Claude, the status to no other family", () => {
    const request: ChatRequest = {
      ...base,
      messages: [
        user('q'),
        { role: 'assistant', content: [], toolCalls: [{ id: 't1', name: 'f', arguments: '' }] },
        {
          role: 'tool',
          toolCallId: 't1',
          isError: true,
          content: [{ type: 'image', url: `data:image/png;base64,${PIXEL}` }],
        },
      ],
      tools: [{ name: 'f' }],
    };
    expect(bodyOf(request).body.messages[2]?.content).toEqual([
      {
        toolResult: {
          toolUseId: 't1',
          content: [{ image: { format: 'png', source: { bytes: PIXEL } } }],
          status: 'error',
        },
      },
    ]);
    expect(bodyOf(request, NOVA).body.messages[2]?.content[0]).toEqual({
      toolResult: { toolUseId: 't1', content: [{ image: { format: 'png', source: { bytes: PIXEL } } }] },
    });
  });

  it("sends Claude's thinking budget and top_k as additional model fields, and its signed reasoning back", () => {
    const request: ChatRequest = {
      ...base,
      reasoning: { effort: 'medium' },
      topK: 5,
      maxOutputTokens: 10_000,
      messages: [
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'answer' },
            { type: 'thinking', text: 'mine', signature: 'sig' },
            { type: 'thinking', text: 'unsigned, another provider' },
            { type: 'redacted_thinking', data: 'ZW5j' },
          ],
        },
        user('more'),
      ],
    };
    const claude = bodyOf(request).body;
    expect(claude.additionalModelRequestFields).toEqual({
      top_k: 5,
      thinking: { type: 'enabled', budget_tokens: 8_192 },
    });
    expect(claude.messages[1]?.content).toEqual([
      { reasoningContent: { reasoningText: { text: 'mine', signature: 'sig' } } },
      { reasoningContent: { redactedContent: 'ZW5j' } },
      { text: 'answer' },
    ]);
    const nova = bodyOf(request, NOVA).body;
    expect(nova.additionalModelRequestFields).toBeUndefined();
    expect(nova.messages[1]?.content).toEqual([{ text: 'answer' }]);
  });

  it('emulates a JSON response format with a forced tool, offered only when Claude thinks', () => {
    const json: ChatRequest = {
      ...base,
      responseFormat: {
        type: 'json_schema',
        name: 'city',
        schema: { type: 'object', properties: { n: { type: 'integer' } } },
      },
    };
    const forced = bodyOf(json);
    expect(forced.jsonTool).toBe(true);
    expect(forced.body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: JSON_TOOL,
            description: 'Answer with this tool: its input is the response, in the required JSON shape.',
            inputSchema: { json: { type: 'object', properties: { n: { type: 'integer' } } } },
          },
        },
      ],
      toolChoice: { tool: { name: JSON_TOOL } },
    });
    const thinking = bodyOf({ ...json, reasoning: { budgetTokens: 2_000 } }).body;
    expect(thinking.toolConfig?.toolChoice).toEqual({ auto: {} });
  });

  it('maps tool choices; none sends no tools unless the history needs a tool configuration', () => {
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    expect(bodyOf({ ...base, tools, toolChoice: 'required' }).body.toolConfig?.toolChoice).toEqual({ any: {} });
    expect(bodyOf({ ...base, tools, toolChoice: { name: 'f' } }).body.toolConfig?.toolChoice).toEqual({
      tool: { name: 'f' },
    });
    expect(bodyOf({ ...base, tools, toolChoice: 'auto' }).body.toolConfig?.toolChoice).toEqual({ auto: {} });
    expect(bodyOf({ ...base, tools, toolChoice: 'none' }).body.toolConfig).toBeUndefined();
    const json = bodyOf({ ...base, tools, toolChoice: 'none', responseFormat: { type: 'json_object' } }).body;
    expect(json.toolConfig?.tools.map((tool) => ('toolSpec' in tool ? tool.toolSpec.name : ''))).toEqual([JSON_TOOL]);
    expect(json.toolConfig?.toolChoice).toEqual({ tool: { name: JSON_TOOL } });
    const history: Message[] = [
      user('q'),
      { role: 'assistant', content: [], toolCalls: [{ id: 't1', name: 'old_tool', arguments: '{}' }] },
      { role: 'tool', toolCallId: 't1', content: [{ type: 'text', text: 'r' }] },
    ];
    expect(bodyOf({ ...base, messages: history, tools, toolChoice: 'none' }).body.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: 'f', inputSchema: { json: { type: 'object' } } } },
        { toolSpec: { name: 'old_tool', inputSchema: { json: { type: 'object' } } } },
      ],
    });
  });

  it('knows Claude by its model id, inference profiles and ARNs included', () => {
    expect(isClaudeOnBedrock('anthropic.claude-3-5-haiku-20241022-v1:0')).toBe(true);
    expect(isClaudeOnBedrock(CLAUDE)).toBe(true);
    expect(
      isClaudeOnBedrock('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0'),
    ).toBe(true);
    expect(isClaudeOnBedrock(NOVA)).toBe(false);
    expect(isClaudeOnBedrock('meta.llama3-3-70b-instruct-v1:0')).toBe(false);
  });
});
