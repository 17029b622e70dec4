import type { ChatChunk } from '@polymux/contracts';
import { ErrorCode } from '@polymux/contracts';
import type { BedrockFrame } from '@polymux/wire';
import { bedrockFrames } from '@polymux/wire';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ToolNames } from '../tool-names';
import { BEDROCK_TOOL_NAMES } from './bedrock.request';
import { BedrockStreamDecoder } from './bedrock.stream';

const frames = (name: string): Buffer[] =>
  readFileSync(join(__dirname, 'fixtures', name), 'utf8')
    .trim()
    .split('\n')
    .map((line) => Buffer.from(line, 'base64'));

/** The bytes of `messages` arriving in pieces of `size` bytes, cut anywhere (inside preludes and headers too). */
async function* pieces(messages: Buffer[], size: number): AsyncGenerator<Uint8Array> {
  const all = Buffer.concat(messages);
  for (let at = 0; at < all.length; at += size) yield all.subarray(at, at + size);
}

const decodedFrames = async (body: AsyncIterable<Uint8Array>): Promise<BedrockFrame[]> => {
  const result: BedrockFrame[] = [];
  for await (const frame of bedrockFrames(body)) result.push(frame);
  return result;
};

const decode = async (messages: Buffer[], size = 7): Promise<ChatChunk[]> => {
  const decoder = new BedrockStreamDecoder(
    { names: new ToolNames(BEDROCK_TOOL_NAMES), jsonTool: false },
    'model',
    'bedrock-1',
  );
  const chunks: ChatChunk[] = [];
  for await (const frame of bedrockFrames(pieces(messages, size))) {
    const chunk = decoder.decode(frame);
    if (chunk) chunks.push(chunk);
  }
  const last = decoder.end();
  return last ? [...chunks, last] : chunks;
};

describe('ConverseStream framing', () => {
  it('decodes the messages the AWS SDK recorded, CRCs as recorded', async () => {
    const recorded = frames('converse-stream.sdk-snapshot.b64');
    expect(
      recorded.map((frame) => [
        frame.length,
        frame.readUInt32BE(4),
        frame.readUInt32BE(8),
        frame.readUInt32BE(frame.length - 4),
      ]),
    ).toEqual([
      [117, 82, 3_514_138_638, 4_090_186_464],
      [125, 86, 3_865_579_478, 1_480_746_266],
    ]);
    expect(await decodedFrames(pieces(recorded, 1))).toEqual([
      { kind: 'event', type: 'messageStart', payload: { role: '__role__' } },
      { kind: 'event', type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
    ]);
  });

  it('refuses a corrupted message and a body cut inside one', async () => {
    const [first] = frames('converse-stream.sdk-snapshot.b64');
    const corrupt = Buffer.from(first!);
    corrupt[corrupt.length - 10] ^= 0xff;
    await expect(decodedFrames(pieces([corrupt], 50))).rejects.toThrow(
      'an event stream message whose checksum or headers are invalid',
    );
    await expect(decodedFrames(pieces([first!.subarray(0, 60)], 50))).rejects.toThrow(
      'an event stream that ends inside a message',
    );
  });
});

describe('BedrockStreamDecoder', () => {
  it('reads reasoning, text and a tool use, then the finish with the cached usage, however the bytes are cut', async () => {
    for (const size of [1, 13, 4096]) {
      const chunks = await decode(frames('converse-stream.tool-use.b64'), size);
      expect(chunks.map((chunk) => chunk.choices[0])).toEqual([
        { index: 0, role: 'assistant' },
        { index: 0, reasoning: { text: 'The user wants a song on WZPZ.' } },
        { index: 0, reasoning: { signature: 'ErUBCkYIBRgCIkCy8nvY' } },
        { index: 0, content: 'Let me look' },
        { index: 0, content: ' that up.' },
        { index: 0, toolCalls: [{ index: 0, id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', arguments: '' }] },
        { index: 0, toolCalls: [{ index: 0, arguments: '{"sign": ' }] },
        { index: 0, toolCalls: [{ index: 0, arguments: '"WZPZ"}' }] },
        { index: 0, finishReason: 'tool_calls' },
      ]);
      expect(chunks.at(-1)?.usage).toEqual({
        inputTokens: 2_460,
        outputTokens: 57,
        cachedInputTokens: 2_048,
        cacheWriteTokens: 0,
      });
    }
  });

  it('throws a mid-stream throttlingException as rate limited, after the chunks before it, without its text', async () => {
    const decoder = new BedrockStreamDecoder(
      { names: new ToolNames(BEDROCK_TOOL_NAMES), jsonTool: false },
      'model',
      'bedrock-1',
    );
    const received: ChatChunk[] = [];
    const failure = await (async () => {
      for await (const frame of bedrockFrames(pieces(frames('converse-stream.throttled.b64'), 5))) {
        const chunk = decoder.decode(frame);
        if (chunk) received.push(chunk);
      }
    })().catch((error: unknown) => error);
    expect(received.map((chunk) => chunk.choices[0]?.content)).toEqual([undefined, 'Elemental']);
    expect(failure).toMatchObject({
      code: ErrorCode.UpstreamRateLimited,
      message: 'the provider bedrock rate-limited the stream: throttlingException',
    });
  });

  it.each([
    ['serviceUnavailableException', ErrorCode.UpstreamOverloaded],
    ['validationException', ErrorCode.UpstreamBadRequest],
    ['modelStreamErrorException', ErrorCode.UpstreamError],
    ['internalServerException', ErrorCode.UpstreamError],
    ['somethingNew', ErrorCode.UpstreamError],
  ])('maps the exception %s', (type, code) => {
    const decoder = new BedrockStreamDecoder(
      { names: new ToolNames(BEDROCK_TOOL_NAMES), jsonTool: false },
      'model',
      'bedrock-1',
    );
    expect(() => decoder.decode({ kind: 'exception', type, body: '{"message":"secret prompt"}' })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('ends with the finish alone when metadata never came, and refuses a stream without messageStop', () => {
    const decoder = new BedrockStreamDecoder(
      { names: new ToolNames(BEDROCK_TOOL_NAMES), jsonTool: false },
      'model',
      'bedrock-1',
    );
    decoder.decode({ kind: 'event', type: 'messageStart', payload: { role: 'assistant' } });
    expect(() =>
      new BedrockStreamDecoder({ names: new ToolNames(BEDROCK_TOOL_NAMES), jsonTool: false }, 'm', 'bedrock-1').end(),
    ).toThrow('bedrock answered a stream that ended before messageStop');
    decoder.decode({ kind: 'event', type: 'messageStop', payload: { stopReason: 'max_tokens' } });
    expect(decoder.end()).toMatchObject({ choices: [{ finishReason: 'length' }] });
    expect(decoder.end()).toBeUndefined();
  });

  it('refuses a content block before messageStart', () => {
    const decoder = new BedrockStreamDecoder(
      { names: new ToolNames(BEDROCK_TOOL_NAMES), jsonTool: false },
      'model',
      'bedrock-1',
    );
    expect(() =>
      decoder.decode({
        kind: 'event',
        type: 'contentBlockDelta',
        payload: { contentBlockIndex: 0, delta: { text: 'x' } },
      }),
    ).toThrow('bedrock answered a content block before messageStart');
  });
});
