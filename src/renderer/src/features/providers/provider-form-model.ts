import { providerFormats, type ApiFormat, type WireFormatName } from '../../../../shared/api-format';
import type { CallRequest, ProviderView } from '../../../../shared/ipc-contract';
import { isSecretHeader, originOf } from '../../../../shared/provider-secrets';
import {
  USER_AGENT_PRESETS,
  USER_AGENT_PRESET_INFO,
  customUserAgentProblem,
  userAgentHeaders,
  type UserAgentPreset,
  type UserAgentSetting,
} from '../../../../shared/user-agents';
import { poolDropped, poolFormFrom, poolInput, type PoolForm } from './key-pool-form';

export type ProviderInput = CallRequest<'providers.save'>['provider'];
export type ProviderKind = ProviderView['kind'];
/** The User-Agent select: '' = the client's own, a preset, or a custom string typed beside it. */
export type UserAgentChoice = '' | UserAgentPreset | 'custom';

/** The edit form's fields, all as the inputs hold them (text), so half-typed values survive. */
export interface ProviderForm {
  id: string;
  kind: ProviderKind;
  baseUrl: string;
  enabled: boolean;
  /** Typed new key; '' keeps the saved one. */
  apiKey: string;
  removeKey: boolean;
  /** `requested = upstream`, one a line. */
  models: string;
  /** Globs, one a line or comma-separated; '' = all models. */
  allowModels: string;
  rpm: string;
  maxConcurrentStreams: string;
  /** Share among providers of equal priority (`weight`); '' = none set (counts as 1). */
  weight: string;
  connectTimeoutMs: string;
  firstByteTimeoutMs: string;
  idleTimeoutMs: string;
  prefetchMaxMs: string;
  /** `Name: value`, one a line: the headers that are not secrets (those are never in the form). */
  headers: string;
  /**
   * Secret headers typed anew, `Name: value` one a line (write-only: '' keeps the saved ones). A name the
   * credential rule does not know is marked secret (`secretHeaders`).
   */
  secretHeaders: string;
  /** The saved secret headers, by name with a masked preview: shown, never editable. */
  savedSecrets: { name: string; preview: string }[];
  /** Saved secret headers to remove on save. */
  removeHeaders: string[];
  userAgent: UserAgentChoice;
  /** The custom User-Agent, kept while another choice is selected so switching back restores it. */
  userAgentCustom: string;
  /** The wire formats the provider accepts, in order (the first is the one others are translated to); [] = the kind's. */
  formats: WireFormatName[];
  /** The most output tokens a translated request may ask for; '' = no clamp. */
  maxOutputTokens: string;
  /** Send reasoning text back on assistant tool turns of a translated request. */
  replayReasoning: boolean;
  /** The key pool (`apiKeys`): saved keys by fingerprint, new ones typed (key-pool-form.ts). */
  pool: PoolForm;
}

export const BASE_URL_HINT: Record<ProviderKind, string> = {
  openai: 'https://api.openai.com/v1 (OpenAI’s base includes /v1)',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

const NAME_OF: Readonly<Record<ApiFormat, WireFormatName>> = {
  'openai-chat': 'chat',
  'openai-responses': 'responses',
  anthropic: 'messages',
  gemini: 'gemini',
};

/** The formats a provider of this kind accepts when it lists none. */
export function defaultFormats(kind: ProviderKind): WireFormatName[] {
  return providerFormats({ kind }).map((f) => NAME_OF[f]);
}

/** The provider's own `formats` when they differ from its kind's default (the row shows them), else null. */
export function customFormats(p: Pick<ProviderView, 'kind' | 'formats'>): WireFormatName[] | null {
  if (p.formats === undefined) return null;
  const def = defaultFormats(p.kind);
  const same = p.formats.length === def.length && p.formats.every((n, i) => n === def[i]);
  return same ? null : p.formats;
}

/** Ticks or unticks one format: a ticked one goes last, so the order ticked is the order kept. */
export function toggleFormat(list: readonly WireFormatName[], name: WireFormatName): WireFormatName[] {
  return list.includes(name) ? list.filter((n) => n !== name) : [...list, name];
}

const NUMBER_FIELDS = [
  'rpm',
  'maxConcurrentStreams',
  'weight',
  'connectTimeoutMs',
  'firstByteTimeoutMs',
  'idleTimeoutMs',
  'prefetchMaxMs',
] as const;

/** `a = b` lines → `{ a: 'b' }`, with a separator `=` (models) or `:` (headers); blank lines skipped. */
export function parsePairs(text: string, sep: '=' | ':'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(sep);
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (k !== '' && v !== '') out[k] = v;
  }
  return out;
}

export function formatPairs(rec: Readonly<Record<string, string>>, sep: '=' | ':'): string {
  return Object.entries(rec)
    .map(([k, v]) => (sep === '=' ? `${k} = ${v}` : `${k}: ${v}`))
    .join('\n');
}

export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A blank form for a new provider. */
export function emptyForm(kind: ProviderKind = 'anthropic'): ProviderForm {
  return {
    id: '',
    kind,
    baseUrl: '',
    enabled: true,
    apiKey: '',
    removeKey: false,
    models: '',
    allowModels: '',
    rpm: '',
    maxConcurrentStreams: '',
    weight: '',
    connectTimeoutMs: '',
    firstByteTimeoutMs: '',
    idleTimeoutMs: '',
    prefetchMaxMs: '',
    headers: '',
    secretHeaders: '',
    savedSecrets: [],
    removeHeaders: [],
    userAgent: '',
    userAgentCustom: '',
    formats: [],
    maxOutputTokens: '',
    replayReasoning: false,
    pool: poolFormFrom(null),
  };
}

const text = (n: number | undefined): string => (n === undefined ? '' : String(n));

/** The form for an existing provider (its key is never in it; only whether it has one). */
export function formFrom(p: ProviderView): ProviderForm {
  return {
    id: p.id,
    kind: p.kind,
    baseUrl: p.baseUrl,
    enabled: p.enabled,
    apiKey: '',
    removeKey: false,
    models: formatPairs(p.models, '='),
    allowModels: (p.allowModels ?? []).join('\n'),
    rpm: text(p.rpm),
    maxConcurrentStreams: text(p.maxConcurrentStreams),
    weight: text(p.weight),
    connectTimeoutMs: text(p.connectTimeoutMs),
    firstByteTimeoutMs: text(p.firstByteTimeoutMs),
    idleTimeoutMs: text(p.idleTimeoutMs),
    prefetchMaxMs: text(p.prefetchMaxMs),
    headers: formatPairs(
      Object.fromEntries(Object.entries(p.headers).filter(([name]) => !isSecretHeader(p, name))),
      ':',
    ),
    secretHeaders: '',
    savedSecrets: Object.entries(p.headers)
      .filter(([name]) => isSecretHeader(p, name))
      .map(([name, preview]) => ({ name, preview })),
    removeHeaders: [],
    userAgent: p.userAgent === undefined ? '' : typeof p.userAgent === 'string' ? p.userAgent : 'custom',
    userAgentCustom: typeof p.userAgent === 'object' ? p.userAgent.custom : '',
    formats: [...(p.formats ?? [])],
    maxOutputTokens: text(p.maxOutputTokens),
    replayReasoning: p.replayReasoning === true,
    pool: poolFormFrom(p),
  };
}

/** The form's choice as the provider's `userAgent`; undefined = the client's own. */
function userAgentSetting(f: ProviderForm): UserAgentSetting | undefined {
  if (f.userAgent === '') return undefined;
  return f.userAgent === 'custom' ? { custom: f.userAgentCustom.trim() } : f.userAgent;
}

/**
 * What this provider will be told, for the editor to show exactly: the headers the choice sets (User-Agent
 * first, then its companions), or null when the client's own pass unchanged.
 */
export function userAgentPreview(f: ProviderForm): [string, string][] | null {
  const setting = userAgentSetting(f);
  if (setting === undefined) return null;
  return Object.entries(userAgentHeaders(setting));
}

export const USER_AGENT_CHOICES: readonly { value: UserAgentChoice; label: string }[] = [
  { value: '', label: 'Client’s own' },
  ...USER_AGENT_PRESETS.map((value) => ({ value, label: USER_AGENT_PRESET_INFO[value].label })),
  { value: 'custom', label: 'Custom…' },
];

// The same rules as the contract's schema, checked here so the bundle needs no zod (main re-validates).
const ID = /^[A-Za-z0-9._-]{1,64}$/;

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export type FormResult = { ok: true; input: ProviderInput } | { ok: false; errors: Record<string, string> };

function sameOrigin(a: string, b: string): boolean {
  try {
    return originOf(a) === originOf(b);
  } catch {
    return false;
  }
}

/**
 * True when saving would drop the saved key or secret headers: the base URL moves to another origin
 * (scheme, host, port) and they are not typed again (main drops them so they never follow a provider
 * somewhere else).
 */
export function credentialsDropped(f: ProviderForm, existing: ProviderView | null): boolean {
  if (existing === null || sameOrigin(existing.baseUrl, f.baseUrl.trim())) return false;
  const keyLost = (existing.hasKey && !f.removeKey && f.apiKey.trim() === '') || poolDropped(f.pool, true);
  const retyped = new Set(Object.keys(parsePairs(f.secretHeaders, ':')).map((n) => n.toLowerCase()));
  const headersLost = f.savedSecrets.some(
    (s) => !f.removeHeaders.includes(s.name) && !retyped.has(s.name.toLowerCase()),
  );
  return keyLost || headersLost;
}

/**
 * The headers and secret-header marks a save sends: the plain ones as typed, secret ones typed anew, and
 * null for each saved one removed (saved ones left out are kept by main, like the key).
 */
function headersInput(
  f: ProviderForm,
  existing: ProviderView | null,
): { headers: Record<string, string | null>; marks: string[] } {
  const typedSecrets = parsePairs(f.secretHeaders, ':');
  const removed = new Set(f.removeHeaders.map((n) => n.toLowerCase()));
  const marks = (existing?.secretHeaders ?? []).filter((n) => !removed.has(n.toLowerCase()));
  for (const name of Object.keys(typedSecrets))
    if (!isSecretHeader({ secretHeaders: marks }, name)) marks.push(name);
  const headers: Record<string, string | null> = { ...parsePairs(f.headers, ':'), ...typedSecrets };
  for (const name of f.removeHeaders) if (!(name in typedSecrets)) headers[name] = null;
  return { headers, marks };
}

/**
 * The form as `providers.save` takes it, with the id and URL checked (main validates the rest). The key is sent
 * only when typed (a string) or removed (null); absent keeps the saved one. Fields the form does not
 * show (priority, per-provider smoothing, the non-stream timeout, stream usage injection) come from
 * `existing`: a save replaces the provider whole, so leaving them out would drop them.
 */
export function toInput(f: ProviderForm, existing: ProviderView | null, priority: number): FormResult {
  const errors: Record<string, string> = {};
  const numbers: Partial<Record<(typeof NUMBER_FIELDS)[number], number>> = {};
  for (const k of NUMBER_FIELDS) {
    const raw = f[k].trim();
    if (raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n)) errors[k] = 'a whole number';
    else numbers[k] = n;
  }
  const maxOut = f.maxOutputTokens.trim();
  const maxOutputTokens = maxOut === '' ? undefined : Number(maxOut);
  if (maxOutputTokens !== undefined && !(Number.isInteger(maxOutputTokens) && maxOutputTokens >= 1))
    errors.maxOutputTokens = 'a whole number, 1 or more';
  const allow = parseList(f.allowModels);
  const userAgent = userAgentSetting(f);
  if (typeof userAgent === 'object') {
    const problem = customUserAgentProblem(userAgent.custom);
    if (problem !== null) errors.userAgent = problem;
  }
  const { headers, marks } = headersInput(f, existing);
  const input: ProviderInput = {
    id: f.id.trim(),
    kind: f.kind,
    baseUrl: f.baseUrl.trim(),
    priority: existing?.priority ?? priority,
    enabled: f.enabled,
    models: parsePairs(f.models, '='),
    headers,
    ...(marks.length > 0 ? { secretHeaders: marks } : {}),
    ...(allow.length > 0 ? { allowModels: allow } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
    ...numbers,
    ...(f.formats.length > 0 ? { formats: [...f.formats] } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    ...(f.replayReasoning ? { replayReasoning: true } : {}),
    ...(existing?.smoothing !== undefined ? { smoothing: existing.smoothing } : {}),
    ...(existing?.nonStreamTimeoutMs !== undefined
      ? { nonStreamTimeoutMs: existing.nonStreamTimeoutMs }
      : {}),
    ...(existing?.injectStreamUsage !== undefined ? { injectStreamUsage: existing.injectStreamUsage } : {}),
    ...(f.removeKey ? { apiKey: null } : f.apiKey.trim() !== '' ? { apiKey: f.apiKey.trim() } : {}),
  };
  const moved = existing !== null && !sameOrigin(existing.baseUrl, f.baseUrl.trim());
  const apiKeys = poolInput(f.pool, existing, moved);
  if (apiKeys !== undefined) input.apiKeys = apiKeys;
  if (!ID.test(input.id)) errors.id = 'letters, digits, dot, dash, underscore; at most 64';
  if (!isHttpUrl(input.baseUrl)) errors.baseUrl = 'an http(s) URL';
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}

/** Moves one item of a list to another index (drag and drop, Alt+↑/↓). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const [item] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(out.length, to)), 0, item as T);
  return out;
}
