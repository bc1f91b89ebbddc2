import type { ProviderKind } from './api-format';

/**
 * Base URLs follow each vendor SDK's convention: OpenAI's holds `/v1`, Anthropic's and Gemini's do not
 * (Sluice adds `/v1/messages`, `/v1beta/models/…` itself, as their SDKs do). A base URL written in the
 * other convention doubles the version (`/v1/v1/messages`) and every request 404s. These are the pure
 * checks the save, the Test and the config file share; the gateway also never sends a doubled version
 * (`versionlessBase`).
 */

/** The API version segments a base path may end with. */
const VERSION = /\/(v1|v1beta|v1alpha)$/;

const OWN_BASE: Record<ProviderKind, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

const VENDOR: Record<ProviderKind, string> = { openai: 'OpenAI', anthropic: 'Anthropic', gemini: 'Gemini' };

/** What Sluice adds under the base URL, per kind (the route paths of its formats). */
const ADDS: Record<ProviderKind, string> = {
  openai: '/chat/completions, /responses',
  anthropic: '/v1/messages',
  gemini: '/v1beta/models/…',
};

/** Endpoint paths that belong to the request, not the base. */
const ENDPOINTS: Record<ProviderKind, RegExp> = {
  openai: /\/(chat\/completions|responses|completions|models)$/,
  anthropic: /\/v1\/(messages|models)$/,
  gemini: /\/(v1|v1beta|v1alpha)\/models(\/[^/]*)?$/,
};

function parsed(baseUrl: string): URL | null {
  try {
    return new URL(baseUrl);
  } catch {
    return null;
  }
}

/**
 * What is wrong with `baseUrl` for a provider of `kind`, and what to change, or null. Catches a
 * version Sluice adds itself (Anthropic's `/v1`, Gemini's `/v1beta`), an endpoint path (`/chat/completions`),
 * a doubled `/v1`, and OpenAI's own host without its `/v1`.
 */
export function baseUrlProblem(kind: ProviderKind, baseUrl: string): string | null {
  const url = parsed(baseUrl);
  if (url === null) return null;
  const path = url.pathname.replace(/\/+$/, '');
  const fix = (drop: string, why: string): string => {
    const fixed = `${url.origin}${path.slice(0, path.length - drop.length)}`;
    return `remove ${drop} from the base URL (${fixed}): ${why}`;
  };
  const convention = `Sluice adds ${ADDS[kind]} itself, as ${VENDOR[kind]}'s SDK does; ${VENDOR[kind]}'s own base is ${OWN_BASE[kind]}`;
  const endpoint = ENDPOINTS[kind].exec(path);
  if (endpoint !== null) return fix(endpoint[0], convention);
  const doubled = /(\/(?:v1|v1beta|v1alpha))\1$/.exec(path);
  if (doubled !== null)
    return fix(doubled[1]!, `the version is in it twice (${VENDOR[kind]}'s own base is ${OWN_BASE[kind]})`);
  const version = VERSION.exec(path);
  if (kind !== 'openai' && version !== null) return fix(version[0], convention);
  if (kind === 'openai' && url.hostname === 'api.openai.com' && path === '')
    return `add /v1 to the base URL (${url.origin}/v1): OpenAI's base holds the version, as its SDK's does`;
  return null;
}

/**
 * The base path a request under `routePath` goes to: a version at the base's end is dropped when the
 * route brings its own (`/v1` + `/v1/messages`), and a doubled version at its end is said once.
 */
export function versionlessBase(basePath: string, routePath: string): string {
  let base = basePath;
  const doubled = /(\/(?:v1|v1beta|v1alpha))\1$/.exec(base);
  if (doubled !== null) base = base.slice(0, base.length - doubled[1]!.length);
  if (/^\/(v1|v1beta|v1alpha)\//.test(routePath)) base = base.replace(VERSION, '');
  return base;
}
