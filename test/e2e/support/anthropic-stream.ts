/** A well-formed Anthropic Messages stream, one SSE frame per element, for fake upstreams. */
export function anthropicFrames(
  text: readonly string[],
  model = 'claude-e2e',
  usage = { input: 12, output: 42 },
): string[] {
  const frame = (event: string, data: unknown): string =>
    `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  return [
    frame('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_e2e',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: usage.input, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    }),
    frame('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
    ...text.map((t) =>
      frame('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: t },
      }),
    ),
    frame('content_block_stop', { type: 'content_block_stop', index: 0 }),
    frame('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output },
    }),
    frame('message_stop', { type: 'message_stop' }),
  ];
}

/** Sends a streaming Messages request through Sluice the way Claude Code would; resolves with the body. */
export async function sendMessage(
  gatewayUrl: string,
  prompt = 'hi',
): Promise<{ status: number; body: string; id: string | null }> {
  const res = await fetch(`${gatewayUrl}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-e2e-client-key-000000',
      'user-agent': 'claude-cli/2.0.0 (external, cli)',
    },
    body: JSON.stringify({
      model: 'claude-e2e',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: prompt }],
    }),
  });
  return { status: res.status, body: await res.text(), id: res.headers.get('x-sluice-request-id') };
}
