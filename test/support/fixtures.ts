import fs from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(__dirname, '../fixtures');

/** One recorded stream and the facts its `.json` says a parser must extract. */
export interface Fixture {
  name: string;
  folder: 'openai_chat' | 'responses' | 'anthropic' | 'gemini';
  sse: Buffer;
  meta: { expected: Record<string, unknown>; http: { status: number; content_type: string } };
}

/** Every fixture of one folder, by name. */
export function fixtures(folder: Fixture['folder']): Fixture[] {
  const dir = path.join(FIXTURES_DIR, 'streams', folder);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sse'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -4);
      return {
        name,
        folder,
        sse: fs.readFileSync(path.join(dir, f)),
        meta: JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Fixture['meta'],
      };
    });
}
