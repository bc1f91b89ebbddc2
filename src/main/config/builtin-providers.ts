import { ProviderSchema, type ProviderConfig } from '../../shared/config';
import type { ProviderKind } from '../../shared/api-format';

/**
 * Built-in providers: with no provider of a kind configured, Sluice serves that kind's formats from the
 * vendor's official endpoint, keyless, so the client's own credentials (its subscription or key) pass
 * through. A new user who points Claude Code, Codex or Gemini CLI at Sluice before writing any config
 * gets the live view, the inspector and usage from the first request instead of a 503.
 *
 * Adding a provider of a kind replaces that kind's default. Saving a default (e.g. switching it off on
 * the Providers screen) makes it a configured provider of its kind, which therefore replaces it too.
 */

/** The one override: `off`, or an origin (`http://127.0.0.1:4000`) that every default is sent to instead. */
export const BUILTIN_OVERRIDE_ENV = 'SLUICE_BUILTIN_ORIGIN';

/** `official`: the vendors' endpoints; `off`: no defaults; else an origin standing in for all three. */
export type BuiltinMode = 'official' | 'off' | { origin: string };

/** Each vendor's official base URL, in its SDK's convention (OpenAI's carries `/v1`). */
export const OFFICIAL_BASE_URLS: Readonly<Record<ProviderKind, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

const KINDS: readonly ProviderKind[] = ['openai', 'anthropic', 'gemini'];

/** After every configured priority: a default is the last resort of any chain it joins. */
const BUILTIN_PRIORITY = Number.MAX_SAFE_INTEGER;

/** `builtin-anthropic` and so on: ids a user's provider can take over by saving under them. */
export function builtinId(kind: ProviderKind): string {
  return `builtin-${kind}`;
}

/**
 * Reads the override from `SLUICE_BUILTIN_ORIGIN`: unset or empty → official, `off` → none, an
 * `http(s)://host[:port]` origin → all three defaults point there (tests aim them at loopback fakes).
 */
export function builtinModeFrom(value: string | undefined): BuiltinMode {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'official') return 'official';
  if (text === 'off') return 'off';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${BUILTIN_OVERRIDE_ENV}: "${text}" is not "off", "official" or an http(s) origin`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    (url.pathname !== '/' && url.pathname !== '')
  )
    throw new Error(`${BUILTIN_OVERRIDE_ENV}: "${text}" must be an origin like http://127.0.0.1:4000`);
  return { origin: url.origin };
}

function baseUrl(kind: ProviderKind, mode: Exclude<BuiltinMode, 'off'>): string {
  if (mode === 'official') return OFFICIAL_BASE_URLS[kind];
  return kind === 'openai' ? `${mode.origin}/v1` : mode.origin;
}

/** The defaults in force beside `configured`: one per kind that no configured provider has. */
export function builtinProviders(configured: readonly ProviderConfig[], mode: BuiltinMode): ProviderConfig[] {
  if (mode === 'off') return [];
  const taken = new Set(configured.map((p) => p.kind));
  const ids = new Set(configured.map((p) => p.id));
  return KINDS.filter((kind) => !taken.has(kind) && !ids.has(builtinId(kind))).map((kind) =>
    ProviderSchema.parse({
      id: builtinId(kind),
      kind,
      baseUrl: baseUrl(kind, mode),
      priority: BUILTIN_PRIORITY,
    }),
  );
}
