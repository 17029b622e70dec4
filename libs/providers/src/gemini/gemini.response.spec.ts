import { ErrorCode } from '@polymux/contracts';

import { ToolNames } from '../tool-names';
import { GEMINI_TOOL_NAMES } from './gemini.names';
import { errorFromStatus } from '../http/upstream-error';
import apiKeyInvalid from './fixtures/error-api-key-invalid.json';
import errors from './fixtures/errors.json';
import functionCall from './fixtures/function-call.json';
import safety from './fixtures/safety.json';
import streamVertex from './fixtures/stream-vertex.json';
import signatures from './fixtures/thought-signatures.json';
import thinking from './fixtures/thinking-max-tokens.json';
import { toChatResponse } from './gemini.response';
import { GeminiStreamDecoder, errorFromGoogleEvent } from './gemini.stream';

const names = () => new ToolNames(GEMINI_TOOL_NAMES);

describe('toChatResponse (Gemini)', () => {
  it('reads the recorded function call with a generated, stable id and tool_calls', () => {
    const response = toChatResponse(functionCall.response, names(), 'fallback');
    const again = toChatResponse(functionCall.response, names(), 'fallback');
    expect(response).toMatchObject({
      id: 'MpiNaY-rGd3A7bEPzOGU2Q8',
      model: 'gemini-2.0-flash',
      usage: { inputTokens: 38, outputTokens: 6 },
      choices: [
        {
          index: 0,
          content: null,
          finishReason: 'tool_calls',
          toolCalls: [
            {
              id: expect.stringMatching(/^call_/),
              name: 'customDivide',
              arguments: '{"denominator":2,"numerator":50}',
            },
          ],
        },
      ],
    });
    expect(again.choices[0]?.toolCalls?.[0]?.id).toBe(response.choices[0]?.toolCalls?.[0]?.id);
  });

  it('reads the recorded MAX_TOKENS answer: length, thoughts counted as output and as reasoning', () => {
    const response = toChatResponse(thinking.response, names(), 'fallback');
    expect(response.choices[0]).toMatchObject({ finishReason: 'length', content: expect.stringContaining('Rayleigh') });
    expect(response.usage).toEqual({ inputTokens: 7, outputTokens: 198, reasoningTokens: 41 });
  });

  it('keeps thought summaries and signatures as tagged reasoning, parallel calls each with an id', () => {
    const parallel = toChatResponse(signatures.parallelCalls, names(), 'fallback').choices[0];
    expect(parallel?.reasoning).toEqual([
      {
        type: 'thinking',
        text: '**Checking two cities**\n\nThe user wants the weather in Paris and London.',
        signature: 'gemini:CpMBAePx/17sigA==',
      },
    ]);
    expect(parallel?.toolCalls?.map((call) => call.arguments)).toEqual(['{"city":"Paris"}', '{"city":"London"}']);
    expect(new Set(parallel?.toolCalls?.map((call) => call.id)).size).toBe(2);
    const text = toChatResponse(signatures.textAnswer, names(), 'fallback');
    expect(text.choices[0]).toMatchObject({
      content: 'It is sunny in Paris and raining in London.',
      finishReason: 'stop',
      reasoning: [{ type: 'thinking', text: '', signature: 'gemini:EuIOCt8wnuepru==' }],
    });
    // promptTokenCount already includes the cached tokens.
    expect(text.usage).toEqual({ inputTokens: 120, cachedInputTokens: 64, outputTokens: 52, reasoningTokens: 40 });
  });

  it('maps a blocked prompt and a candidate stopped by the filters to a content-filtered refusal', () => {
    expect(toChatResponse(safety.blockedPrompt, names(), 'fallback').choices).toEqual([
      {
        index: 0,
        content: null,
        refusal: expect.stringContaining('PROHIBITED_CONTENT'),
        finishReason: 'content_filter',
      },
    ]);
    expect(toChatResponse(safety.stoppedCandidate, names(), 'fallback').choices).toEqual([
      { index: 0, content: null, refusal: expect.stringContaining('SAFETY'), finishReason: 'content_filter' },
    ]);
  });
});

describe('GeminiStreamDecoder', () => {
  it('reads the recorded Vertex stream: role, stop, then the usage once at the end', () => {
    const decoder = new GeminiStreamDecoder(names(), 'fallback');
    const chunks = streamVertex.events.flatMap((event) => decoder.decode(event));
    expect(decoder.finished).toBe(true);
    expect(chunks.map((chunk) => chunk.choices)).toEqual([
      [{ index: 0, role: 'assistant' }],
      [{ index: 0, finishReason: 'stop' }],
    ]);
    expect(decoder.end()).toMatchObject({
      choices: [],
      usage: { inputTokens: 83, outputTokens: 0 },
      model: 'gemini-2.5-pro',
    });
  });

  it('streams thoughts, a signature that closes them, whole calls and texts', () => {
    const decoder = new GeminiStreamDecoder(names(), 'fallback');
    const [candidate] = signatures.parallelCalls.candidates;
    const parts = candidate!.content.parts;
    const chunks = [
      ...decoder.decode({ responseId: 'r', candidates: [{ content: { role: 'model', parts: parts.slice(0, 1) } }] }),
      ...decoder.decode({
        responseId: 'r',
        candidates: [{ content: { role: 'model', parts: parts.slice(1) }, finishReason: 'STOP' }],
      }),
    ];
    expect(chunks.map((chunk) => chunk.choices[0])).toEqual([
      { index: 0, role: 'assistant' },
      { index: 0, reasoning: { text: parts[0]!.text } },
      { index: 0, reasoning: { signature: 'gemini:CpMBAePx/17sigA==' } },
      {
        index: 0,
        toolCalls: [
          { index: 0, id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"Paris"}' },
        ],
      },
      {
        index: 0,
        toolCalls: [
          { index: 1, id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"city":"London"}' },
        ],
      },
      { index: 0, finishReason: 'tool_calls' },
    ]);
  });

  it('reads a signature where Gemini streams it, after the text or on an empty thought, as the whole answer reads it', () => {
    const [answer] = signatures.textAnswer.candidates;
    const [first, second] = answer!.content.parts;
    const decoder = new GeminiStreamDecoder(names(), 'fallback');
    const deltas = [
      { text: first!.text },
      { text: second!.text },
      // The streaming documentation's last chunk: the signature alone, with an empty text.
      { text: '', thoughtSignature: second!.thoughtSignature },
    ].flatMap((part, index) =>
      decoder.decode({
        responseId: 'r',
        candidates: [{ content: { role: 'model', parts: [part] }, ...(index === 2 ? { finishReason: 'STOP' } : {}) }],
      }),
    );
    expect(deltas.map((chunk) => chunk.choices[0]).slice(-2)).toEqual([
      { index: 0, reasoning: { signature: 'gemini:EuIOCt8wnuepru==' } },
      { index: 0, finishReason: 'stop' },
    ]);
    // Signed after the text, the signature is a reasoning part of its own, whichever part carries it.
    const late = {
      ...signatures.textAnswer,
      candidates: [
        {
          ...answer!,
          content: {
            role: 'model',
            parts: [
              first!,
              { ...second!, thoughtSignature: undefined },
              { text: '', thoughtSignature: second!.thoughtSignature },
            ],
          },
        },
      ],
    };
    for (const body of [signatures.textAnswer, late]) {
      expect(toChatResponse(body, names(), 'fallback').choices[0]?.reasoning).toEqual([
        { type: 'thinking', text: '', signature: 'gemini:EuIOCt8wnuepru==' },
      ]);
    }
    // An empty thought part that carries the signature closes the thought before it (no second part).
    const thought = { text: 'Weather first.', thought: true };
    const closing = { text: '', thought: true, thoughtSignature: 'c2ln' };
    const closed = toChatResponse(
      {
        candidates: [
          { content: { role: 'model', parts: [thought, closing, { text: 'Sunny.' }] }, finishReason: 'STOP' },
        ],
      },
      names(),
      'fallback',
    );
    expect(closed.choices[0]?.reasoning).toEqual([
      { type: 'thinking', text: 'Weather first.', signature: 'gemini:c2ln' },
    ]);
  });

  it('maps Google’s in-stream errors by status', () => {
    expect(errorFromGoogleEvent('gemini', JSON.stringify(errors.rateLimited.body))).toMatchObject({
      code: ErrorCode.UpstreamRateLimited,
      details: { retryAfterSeconds: 38 },
    });
    expect(errorFromGoogleEvent('gemini', JSON.stringify(errors.overloaded.body)).code).toBe(
      ErrorCode.UpstreamOverloaded,
    );
  });
});

describe('Google errors through the shared upstream mapping', () => {
  const mapped = (fixture: { status: number; body: unknown }) =>
    errorFromStatus('gemini', fixture.status, {}, JSON.stringify(fixture.body)).toPayload();

  it('reads the retry delay of RESOURCE_EXHAUSTED from RetryInfo, without a retry-after header', () => {
    expect(mapped(errors.rateLimited)).toEqual({
      code: ErrorCode.UpstreamRateLimited,
      message: 'the provider gemini rate-limited the request (HTTP 429): RESOURCE_EXHAUSTED',
      upstreamStatus: 429,
      retryAfterSeconds: 38,
    });
  });

  it('maps UNAVAILABLE to overloaded, a prompt over the window to context_length_exceeded, never the text', () => {
    expect(mapped(errors.overloaded).code).toBe(ErrorCode.UpstreamOverloaded);
    const tooLong = mapped(errors.contextTooLong);
    expect(tooLong).toEqual({
      code: ErrorCode.UpstreamBadRequest,
      message: 'the provider gemini rejected the request (HTTP 400): INVALID_ARGUMENT, context_length_exceeded',
      upstreamStatus: 400,
    });
    expect(JSON.stringify(tooLong)).not.toContain('1048576');
  });

  it('maps the recorded invalid API key (a 400) and PERMISSION_DENIED to a credentials failure the router falls back on', () => {
    expect(mapped(apiKeyInvalid)).toEqual({
      code: ErrorCode.UpstreamError,
      message:
        "the provider gemini refused the deployment's credentials or model (HTTP 400): INVALID_ARGUMENT, API_KEY_INVALID",
      upstreamStatus: 400,
    });
    expect(mapped(errors.permissionDenied).code).toBe(ErrorCode.UpstreamError);
  });
});
