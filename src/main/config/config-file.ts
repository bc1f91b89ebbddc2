import fs from 'node:fs';
import { ConfigSchema, describeConfigIssues, type SluiceConfig } from '../../shared/config';

/** Reads and validates a config file; any unknown field or bad value throws one message naming each. */
export function loadConfigFile(file: string): SluiceConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`config ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `config ${file} is invalid:\n  ${describeConfigIssues(parsed.error.issues).join('\n  ')}`,
    );
  }
  return parsed.data;
}
