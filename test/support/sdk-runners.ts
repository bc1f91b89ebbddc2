import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import type { FormatKit } from './format-kits';

/** Drives one format's official SDK (streaming, no SDK retries) against Sluice; resolves with the streamed text, or rejects. */
export type SdkRun = (url: string, model: string) => Promise<string>;

export const SDKS: Record<FormatKit['format'], SdkRun> = {
  'openai-chat': async (url, model) => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  },
  'openai-responses': async (url, model) => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const stream = await client.responses.create({ model, input: 'hi', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    return text;
  },
  anthropic: async (url, model) => {
    const client = new Anthropic({ baseURL: url, apiKey: 'sk-ant-client', maxRetries: 0 });
    const stream = await client.messages.create({
      model,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    return text;
  },
  gemini: async (url, model) => {
    const ai = new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: url } });
    const stream = await ai.models.generateContentStream({ model, contents: 'hi' });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    return text;
  },
};
