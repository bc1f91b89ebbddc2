import { describe, expect, it } from 'vitest';
import { geminiTurnCodec as codec } from '../../../../src/formats/gemini/turn';
import { SKIP_SIGNATURE } from '../../../../src/formats/gemini/turn-request';
import type { TurnEvent, TurnRequest } from '../../../../src/formats/turn/types';
import { decodeFrames } from '../harness';

const options = { maxOutputTokens: null, replayReasoning: false };

/** A Gemini CLI-like body: system instruction, tools, thinking config, a parallel call history with signatures. */
const cliBody = {
  systemInstruction: { role: 'user', parts: [{ text: 'You are Gemini CLI.' }] },
  contents: [
    { role: 'user', parts: [{ text: 'Weather in Boston and Delhi?' }] },
    {
      role: 'model',
      parts: [
        { text: 'Planning.', thought: true },
        { functionCall: { name: 'get_weather', args: { city: 'Boston' } }, thoughtSignature: 'SIG1' },
        { functionCall: { name: 'get_weather', args: { city: 'Delhi' } } },
      ],
    },
    {
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_weather', response: { output: '31°C' } } },
        { functionResponse: { name: 'get_weather', response: { output: '2°C' } } },
      ],
    },
    { role: 'model', parts: [{ text: 'Boston 2°C, Delhi 31°C.', thoughtSignature: 'SIG2' }] },
    { role: 'user', parts: [{ text: 'Thanks' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
  ],
  tools: [
    {
      functionDeclarations: [
        {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
        },
        {
          name: 'read_file',
          parametersJsonSchema: { type: 'object', properties: { path: { type: 'string' } } },
        },
      ],
    },
    { googleSearch: {} },
  ],
  toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['read_file'] } },
  generationConfig: {
    temperature: 0.5,
    topP: 0.9,
    topK: 40,
    maxOutputTokens: 8192,
    stopSequences: ['END'],
    thinkingConfig: { includeThoughts: true, thinkingBudget: 4096 },
  },
};

describe('geminiTurnCodec requests', () => {
  it('decodes a Gemini CLI body: model from the URL, ids made up and matched by name and order', () => {
    const turn = codec.decodeRequest(cliBody, 'gemini-2.5-pro');
    expect(turn.model).toBe('gemini-2.5-pro');
    expect(turn.system).toEqual(['You are Gemini CLI.']);
    const [user, model, results, answer, last] = turn.messages;
    expect(model!.parts[0]).toEqual({ type: 'thinking', text: 'Planning.', signature: null, redacted: null });
    const calls = model!.parts.filter((p) => p.type === 'tool_call');
    expect(calls.map((c) => [c.arguments, c.signature])).toEqual([
      ['{"city":"Boston"}', { vendor: 'gemini', value: 'SIG1' }],
      ['{"city":"Delhi"}', null],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    const ids = results!.parts.map((p) => (p.type === 'tool_result' ? p.callId : null));
    expect(ids).toEqual(calls.map((c) => c.id));
    expect(results!.parts[0]).toMatchObject({
      name: 'get_weather',
      content: [{ type: 'text', text: '31°C' }],
      isError: false,
    });
    // A signed text part: its signature travels as an empty thinking part before it.
    expect(answer!.parts).toEqual([
      { type: 'thinking', text: '', signature: { vendor: 'gemini', value: 'SIG2' }, redacted: null },
      { type: 'text', text: 'Boston 2°C, Delhi 31°C.' },
    ]);
    expect(last!.parts[1]).toEqual({ type: 'image', mediaType: 'image/png', data: 'AAAA', url: null });
    expect(user!.role).toBe('user');
    // The same history decodes to the same ids (the client resends it every turn).
    expect(codec.decodeRequest(cliBody, 'gemini-2.5-pro').messages[1]).toEqual(model);

    expect(turn.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      {
        name: 'read_file',
        description: null,
        parameters: { type: 'object', properties: { path: { type: 'string' } } },
      },
    ]);
    expect(turn.toolChoice).toEqual({ type: 'tool', name: 'read_file' });
    expect([turn.temperature, turn.topP, turn.topK, turn.maxOutputTokens, turn.stop]).toEqual([
      0.5,
      0.9,
      40,
      8192,
      ['END'],
    ]);
    expect(turn.reasoning).toEqual({ budgetTokens: 4096, effort: null });
  });

  it('round-trips a Gemini CLI body to an equivalent Gemini body (signatures re-attached)', () => {
    const body = codec.encodeRequest(codec.decodeRequest(cliBody, 'gemini-2.5-pro'), {
      ...options,
      maxOutputTokens: 4000,
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are Gemini CLI.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Boston and Delhi?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Boston' } }, thoughtSignature: 'SIG1' },
          { functionCall: { name: 'get_weather', args: { city: 'Delhi' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: '31°C' } } },
          { functionResponse: { name: 'get_weather', response: { output: '2°C' } } },
        ],
      },
      { role: 'model', parts: [{ text: 'Boston 2°C, Delhi 31°C.', thoughtSignature: 'SIG2' }] },
      { role: 'user', parts: [{ text: 'Thanks' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
    ]);
    expect(body.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['read_file'] },
    });
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 4000,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      thinkingConfig: { includeThoughts: true, thinkingBudget: 4096 },
    });
    const decls = (body.tools as { functionDeclarations: unknown[] }[])[0]!.functionDeclarations;
    expect(decls).toEqual([
      {
        name: 'get_weather',
        description: 'Weather',
        parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
      },
      { name: 'read_file', parameters: { type: 'OBJECT', properties: { path: { type: 'STRING' } } } },
    ]);
  });

  it('encodes a foreign turn: results in call order by name, tool-result images beside them, schemas cleaned', () => {
    const turn: TurnRequest = {
      ...codec.decodeRequest({ contents: [] }, 'gemini-3-pro-preview'),
      system: ['Be brief.', 'Use tools.'],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'Go' }] },
        {
          role: 'assistant',
          parts: [
            {
              type: 'thinking',
              text: 'hmm',
              signature: { vendor: 'anthropic', value: 'sig' },
              redacted: null,
            },
            { type: 'text', text: 'Calling.' },
            { type: 'tool_call', id: 'toolu_a', name: 'shot', arguments: '{"w":1}', signature: null },
            { type: 'tool_call', id: 'toolu_b', name: 'read', arguments: '{}', signature: null },
          ],
        },
        {
          role: 'user',
          parts: [
            {
              type: 'tool_result',
              callId: 'toolu_b',
              name: null,
              isError: true,
              content: [{ type: 'text', text: 'ENOENT' }],
            },
            {
              type: 'tool_result',
              callId: 'toolu_a',
              name: null,
              isError: false,
              content: [
                { type: 'text', text: 'taken' },
                { type: 'image', mediaType: 'image/jpeg', data: 'IMG', url: null },
              ],
            },
          ],
        },
      ],
      tools: [
        {
          name: 'shot',
          description: 'Screenshot',
          parameters: {
            $schema: 'x',
            type: 'object',
            additionalProperties: false,
            properties: { w: { type: 'integer', exclusiveMinimum: 0 } },
          },
        },
        { name: 'read', description: null, parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { type: 'any' },
      reasoning: { budgetTokens: null, effort: 'high' },
    };
    const body = codec.encodeRequest(turn, options);
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Go' }] },
      {
        role: 'model',
        parts: [
          { text: 'Calling.' },
          // Gemini 3 rejects a replayed call without a signature: Google's documented skip value, on the first call only.
          { functionCall: { name: 'shot', args: { w: 1 } }, thoughtSignature: SKIP_SIGNATURE },
          { functionCall: { name: 'read', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'shot', response: { output: 'taken' } } },
          { functionResponse: { name: 'read', response: { error: 'ENOENT' } } },
          { inlineData: { mimeType: 'image/jpeg', data: 'IMG' } },
        ],
      },
    ]);
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Use tools.' }] });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'shot',
            description: 'Screenshot',
            parameters: { type: 'OBJECT', properties: { w: { type: 'INTEGER', minimum: 1 } } },
          },
          { name: 'read' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(body.generationConfig).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingBudget: 24576 },
    });
    expect(JSON.stringify(body)).not.toContain('toolu_');
  });
});

describe('geminiTurnCodec whole responses', () => {
  const response = {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { text: 'Thinking.', thought: true },
            { text: 'Sure.' },
            { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'S' },
          ],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: {
      promptTokenCount: 100,
      cachedContentTokenCount: 60,
      candidatesTokenCount: 20,
      thoughtsTokenCount: 5,
      totalTokenCount: 125,
    },
    modelVersion: 'gemini-2.5-pro',
    responseId: 'r1',
  };

  it('decodes: a call makes the stop tool_use, its signature rides the call, usage normalised', () => {
    const turn = codec.decodeResponse(response);
    expect(turn.parts.map((p) => p.type)).toEqual(['thinking', 'text', 'tool_call']);
    expect(turn.parts[2]).toMatchObject({
      name: 'f',
      arguments: '{"a":1}',
      signature: { vendor: 'gemini', value: 'S' },
    });
    expect(turn.stopReason).toBe('tool_use');
    expect(turn.usage).toMatchObject({
      inputTokens: 40,
      cacheReadTokens: 60,
      outputTokens: 25,
      reasoningTokens: 5,
    });
    expect(codec.decodeResponse({ promptFeedback: { blockReason: 'SAFETY' } }).stopReason).toBe('refusal');
  });

  it('encodes back in Gemini’s convention (usage, STOP for a call, the call id kept)', () => {
    const request = codec.decodeRequest({ contents: [] }, 'gemini-2.5-pro');
    const turn = codec.decodeResponse(response);
    const body = codec.encodeResponse(turn, request);
    const id = (turn.parts[2] as { id: string }).id;
    expect(body).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Thinking.', thought: true },
              { text: 'Sure.' },
              { functionCall: { id, name: 'f', args: { a: 1 } }, thoughtSignature: 'S' },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 100,
        cachedContentTokenCount: 60,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 5,
        totalTokenCount: 125,
      },
      modelVersion: 'gemini-2.5-pro',
      responseId: 'r1',
    });
  });
});

describe('geminiTurnCodec streams', () => {
  const request = codec.decodeRequest({ contents: [] }, 'gemini-2.5-pro');

  it('decodes several functionCalls in one chunk, thoughts, a signed text part, and finishes at the end', () => {
    const decoder = codec.createStreamDecoder();
    const events: TurnEvent[] = [
      ...decoder.event(
        undefined,
        JSON.stringify({
          candidates: [{ content: { parts: [{ text: 'Hm', thought: true }] }, index: 0 }],
          responseId: 'r',
          modelVersion: 'g',
        }),
      ),
      ...decoder.event(
        undefined,
        JSON.stringify({
          candidates: [
            {
              content: {
                parts: [
                  { text: 'Ok', thoughtSignature: 'T' },
                  { functionCall: { name: 'a', args: {} } },
                  { functionCall: { name: 'b', args: { x: 1 } } },
                ],
              },
              finishReason: 'STOP',
              index: 0,
            },
          ],
          usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 },
        }),
      ),
      ...decoder.end(),
    ];
    const shape = events.map((e) => (e.type === 'tool_call_start' ? `${e.type}:${e.name}` : e.type));
    expect(shape).toEqual([
      'start',
      'thinking',
      'thinking_signature',
      'block_end',
      'text',
      'block_end',
      'tool_call_start:a',
      'tool_call_delta',
      'block_end',
      'tool_call_start:b',
      'tool_call_delta',
      'block_end',
      'usage',
      'finish',
    ]);
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'tool_use', stopSequence: null });
  });

  it('a blocked prompt is a refusal; an error element is an error with its status and message', () => {
    const blocked = codec.createStreamDecoder();
    expect(
      [
        ...blocked.event(undefined, JSON.stringify({ promptFeedback: { blockReason: 'SAFETY' } })),
        ...blocked.end(),
      ].at(-1),
    ).toEqual({
      type: 'finish',
      reason: 'refusal',
      stopSequence: null,
    });
    const failing = codec.createStreamDecoder();
    expect(
      failing.event(
        undefined,
        JSON.stringify({ error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } }),
      ),
    ).toEqual([{ type: 'error', status: 429, errorType: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded.' }]);
    expect(failing.end()).toEqual([]);
  });

  it('encodes SSE and a JSON array, with finishReason and usage on the last chunk', () => {
    const events: TurnEvent[] = [
      { type: 'start', id: 'msg_1', model: 'claude-x', usage: null },
      { type: 'text', index: 0, text: 'Hi' },
      { type: 'tool_call_start', index: 1, id: 'toolu_1', name: 'f', signature: null },
      { type: 'tool_call_delta', index: 1, arguments: '{"a"' },
      { type: 'tool_call_delta', index: 1, arguments: ':1}' },
      { type: 'block_end', index: 1 },
      {
        type: 'usage',
        usage: {
          inputTokens: 10,
          cacheReadTokens: 5,
          cacheWriteTokens: null,
          cacheWrite5mTokens: null,
          cacheWrite1hTokens: null,
          outputTokens: 7,
          reasoningTokens: null,
        },
      },
      { type: 'finish', reason: 'tool_use', stopSequence: null },
    ];
    const sse = codec.createStreamEncoder(request);
    const sseText = sse.push(events) + sse.end();
    const chunks = decodeFrames(sseText).map((e) => JSON.parse(e.data) as Record<string, unknown>);
    const array = codec.createStreamEncoder(request, { framing: 'json-array' });
    const arrayText = array.push(events) + array.end();
    expect(JSON.parse(arrayText)).toEqual(chunks);
    expect(chunks).toEqual([
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ text: 'Hi' }, { functionCall: { id: 'toolu_1', name: 'f', args: { a: 1 } } }],
            },
            index: 0,
          },
        ],
        modelVersion: 'claude-x',
        responseId: 'msg_1',
      },
      {
        candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: {
          promptTokenCount: 15,
          candidatesTokenCount: 7,
          totalTokenCount: 22,
          cachedContentTokenCount: 5,
        },
        modelVersion: 'claude-x',
        responseId: 'msg_1',
      },
    ]);
    const empty = codec.createStreamEncoder(request, { framing: 'json-array' });
    expect(
      JSON.parse(
        empty.push([{ type: 'error', status: 503, errorType: null, message: 'Down' }]) + empty.end(),
      ),
    ).toEqual([{ error: { code: 503, message: 'Down', status: 'UNAVAILABLE' } }]);
  });
});
