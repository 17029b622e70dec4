import type { BedrockConverseResponse, BedrockFrame } from '@polymux/wire';
import { bedrockConversePath, bedrockFrames, signBedrockRequest } from '@polymux/wire';

import type { ProviderSim } from '../provider-sim.server';
import { startProviderSim } from '../provider-sim.server';
import { SIM_AWS_CREDENTIALS } from './bedrock-auth';

const NOVA = 'amazon.nova-pro-v1:0';
const CLAUDE = 'arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-v1:0';
/** The tool-result turn of the Bedrock User Guide's tool-use walk-through. */
const toolResultRequest = JSON.stringify({
  messages: [
    { role: 'user', content: [{ text: 'What is the most popular song on WZPZ?' }] },
    {
      role: 'assistant',
      content: [
        { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
      ],
    },
    {
      role: 'user',
      content: [
        {
          toolResult: {
            toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
            content: [{ json: { song: 'Elemental Hotel', artist: '8 Storey Hike' } }],
          },
        },
      ],
    },
  ],
  toolConfig: {
    tools: [
      {
        toolSpec: {
          name: 'top_song',
          inputSchema: { json: { type: 'object', properties: { sign: { type: 'string' } } } },
        },
      },
    ],
  },
});
const hello = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });

describe('the Bedrock format of the simulator', () => {
  let sim: ProviderSim;
  beforeAll(async () => {
    sim = await startProviderSim({ port: 0 });
  });
  afterAll(() => sim.close());

  /** POSTs `body` to a model's Converse path, SigV4-signed (with `secret`) unless headers say otherwise. */
  const post = async (
    modelId: string,
    body: string,
    options: {
      stream?: boolean;
      prefix?: string;
      secret?: string;
      sentBody?: string;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const path = `${options.prefix ?? ''}${bedrockConversePath(modelId, options.stream ?? false)}`;
    const host = new URL(sim.url).host;
    const headers = options.headers ?? {
      ...(await signBedrockRequest(
        { method: 'POST', path, headers: { host, 'content-type': 'application/json' }, body },
        'us-west-2',
        { ...SIM_AWS_CREDENTIALS, secretAccessKey: options.secret ?? SIM_AWS_CREDENTIALS.secretAccessKey },
      )),
    };
    return fetch(`${sim.url}${path}`, { method: 'POST', headers, body: options.sentBody ?? body });
  };

  it("answers the User Guide's tool-result turn of a signed request with text, for a model id that is an ARN", async () => {
    const response = await post(CLAUDE, toolResultRequest);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as BedrockConverseResponse;
    expect(answer).toMatchObject({ stopReason: 'end_turn', output: { message: { role: 'assistant' } } });
    expect(answer.output.message.content).toEqual([{ text: expect.stringMatching(/\S/) }]);
    expect(answer.usage.totalTokens).toBe((answer.usage.inputTokens ?? 0) + (answer.usage.outputTokens ?? 0));
  });

  it.each([
    ['no authorization', { headers: { 'content-type': 'application/json' } }, 'MissingAuthenticationTokenException'],
    ['a wrong secret', { secret: 'wrong' }, 'InvalidSignatureException'],
    ['a body changed after signing', { sentBody: hello.replace('hello', 'hullo') }, 'InvalidSignatureException'],
  ])('refuses a request with %s (403, the type in x-amzn-errortype)', async (_, options, type) => {
    const response = await post(NOVA, hello, options);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe(
      `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    );
    expect(await response.json()).toEqual({ message: expect.any(String) });
  });

  it('takes a bearer API key', async () => {
    const response = await post(NOVA, hello, {
      headers: { 'content-type': 'application/json', authorization: 'Bearer key-1' },
    });
    expect(response.status).toBe(200);
  });

  it('refuses what Bedrock refuses: unknown members, Claude-only fields for another family, tool blocks without tools', async () => {
    const extraneous = await post(NOVA, JSON.stringify({ ...JSON.parse(hello), temperature: 1 }));
    expect(extraneous.status).toBe(400);
    expect(await extraneous.json()).toEqual({ message: expect.stringContaining('extraneous key [temperature]') });
    const topK = await post(NOVA, JSON.stringify({ ...JSON.parse(hello), additionalModelRequestFields: { top_k: 5 } }));
    expect(topK.status).toBe(400);
    const withoutTools = JSON.parse(toolResultRequest) as Record<string, unknown>;
    delete withoutTools.toolConfig;
    const orphan = await post(CLAUDE, JSON.stringify(withoutTools));
    expect(await orphan.json()).toEqual({
      message: 'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    });
  });

  it('answers a scenario status in Bedrock shape, and an unknown model path with a Bedrock 404', async () => {
    const throttled = await post(NOVA, hello, { prefix: '/scenario/status=429' });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.headers.get('x-amzn-errortype')).toMatch(/^ThrottlingException:/);
    const missing = await fetch(`${sim.url}/model/x/invoke`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toMatch(/^ResourceNotFoundException:/);
  });

  it('streams an event stream that ends with messageStop and metadata, or with an exception under fail-after', async () => {
    const read = async (response: Response): Promise<BedrockFrame[]> => {
      expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
      const frames: BedrockFrame[] = [];
      for await (const frame of bedrockFrames(response.body as unknown as AsyncIterable<Uint8Array>))
        frames.push(frame);
      return frames;
    };
    const whole = await read(await post(NOVA, hello, { stream: true, prefix: '/scenario/tokens=3' }));
    expect(whole.map((frame) => (frame.kind === 'event' ? frame.type : frame.kind))).toEqual([
      'messageStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    const failed = await read(await post(NOVA, hello, { stream: true, prefix: '/scenario/fail-after=2' }));
    expect(failed.at(-1)).toEqual({ kind: 'exception', type: 'modelStreamErrorException', body: expect.any(String) });
    expect(failed).toHaveLength(3);
  });
});
