import {
  ProviderSchema,
  describeConfigIssues,
  type ProviderConfig,
  type SluiceConfig,
  RouteSchema,
  routeIssues,
  type RouteConfig,
} from '../../shared/config';
import { isSecretHeader, originOf, poolKeys } from '../../shared/provider-secrets';
import { keyFingerprint } from '../proxy/key-fingerprint';
import { SettingsSchema, type Settings } from '../../shared/settings';
import type { KeyVault } from './key-vault';
import {
  BUILTIN_OVERRIDE_ENV,
  builtinModeFrom,
  builtinProviders,
  type BuiltinMode,
} from './builtin-providers';
import type { SettingsSource } from '../proxy/ports';
import type { ConfigRepo, StoredProvider } from '../store/write/config-repo';

/**
 * A provider as the UI sends it. `apiKey` undefined keeps the stored key, null removes it, a string sets
 * it; a secret header (see isSecretHeader) is write-only the same way: left out keeps the stored value,
 * null removes it, a string sets it. Other headers are replaced as a whole by `headers`. Whatever is
 * kept is kept only while the base URL's origin stays the same (see saveProvider). `apiKeys` (the pool)
 * is write-only too: undefined keeps the stored pool, null removes it, a list is the new pool, where a
 * `{ keep: fingerprint }` entry names a stored key (see keyFingerprint) and a string adds one.
 */
export type ProviderInput = Omit<ProviderConfig, 'apiKey' | 'apiKeys' | 'headers'> & {
  apiKey?: string | null;
  apiKeys?: readonly (string | { keep: string })[] | null;
  headers?: Readonly<Record<string, string | null>>;
};

/** What the saved config of a provider holds besides its schema's fields: sealed secret header values… */
const SEALED_HEADERS = 'sealedHeaders';
/** …and its pool's sealed keys (`apiKeys`), in order. */
const SEALED_POOL = 'sealedApiKeys';

export class ConfigError extends Error {}

/**
 * The pool a save asks for: new keys as given, `{ keep }` entries resolved to the stored key with that
 * fingerprint (unknown: the save is refused, since the UI never holds the keys to resend them).
 */
function poolFrom(
  entries: readonly (string | { keep: string })[] | null,
  stored: readonly string[],
): string[] {
  if (entries === null) return [];
  return entries.map((e, i) => {
    if (typeof e === 'string') return e;
    const found = stored.find((k) => keyFingerprint(k) === e.keep);
    if (found === undefined)
      throw new ConfigError(`apiKeys[${i}]: no saved key ${e.keep} for this provider (and origin)`);
    return found;
  });
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return originOf(a) === originOf(b);
  } catch {
    return false;
  }
}

/** True when the provider holds a credential of its own: a key or a secret header. */
function hasCredentials(p: ProviderConfig): boolean {
  return poolKeys(p).length > 0 || Object.keys(p.headers).some((name) => isSecretHeader(p, name));
}

function validProvider(value: unknown): ProviderConfig {
  const parsed = ProviderSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(describeConfigIssues(parsed.error.issues).join('; '));
  return parsed.data;
}

/**
 * The providers and settings in force, changeable while Sluice runs: every request reads them when it
 * starts, so a change applies to the next request. Changes are saved in the database with keys sealed
 * by the KeyVault; plain keys live only in memory.
 *
 * At start: with an explicit config file, its providers (and its settings over the saved ones) are in
 * force; without one, the saved state is, seeded once from `<dataDir>/config.json` when nothing is saved.
 */
export class RuntimeConfig implements SettingsSource {
  private current: Settings;
  private list: ProviderConfig[];
  /** The routes in force (config `routes`): a config file's when its providers are, else the saved ones. */
  private routeList: RouteConfig[];
  /** Per provider id, the origin its credentials were saved for (absent: it holds none). */
  private readonly bound = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  /** `list` plus the built-in defaults, made on first read after each change. */
  private withDefaults: readonly ProviderConfig[] | null = null;

  constructor(
    private readonly repo: ConfigRepo,
    private readonly vault: KeyVault,
    file: { config: SluiceConfig; explicit: boolean } | null,
    log: (line: string) => void,
    /** The built-in providers (see builtin-providers.ts); default: as `SLUICE_BUILTIN_ORIGIN` says. */
    private readonly builtinMode: BuiltinMode = builtinModeFrom(process.env[BUILTIN_OVERRIDE_ENV]),
  ) {
    const savedSettings = repo.loadSettings();
    const saved = repo.loadProviders().flatMap((p) => this.restore(p, log));
    const useFile = file !== null && (file.explicit || saved.length === 0);
    this.list = useFile ? [...file.config.providers] : saved;
    this.routeList = useFile ? [...(file.config.routes ?? [])] : restoreRoutes(repo.loadRoutes(), log);
    const parsed = SettingsSchema.safeParse({ ...savedSettings, ...(useFile ? file.config.settings : {}) });
    if (!parsed.success)
      throw new ConfigError(`settings: ${describeConfigIssues(parsed.error.issues).join('; ')}`);
    this.current = parsed.data;
    for (const p of this.list) this.bind(p);
    if (useFile && !file.explicit) this.persist();
  }

  settings(): Settings {
    return this.current;
  }

  /** The providers in force: those configured, then the built-in default of each kind none of them has. */
  providers(): readonly ProviderConfig[] {
    if (this.withDefaults === null) {
      const defaults = builtinProviders(this.list, this.builtinMode);
      this.withDefaults = defaults.length === 0 ? this.list : [...this.list, ...defaults];
    }
    return this.withDefaults;
  }

  /** True when `id` is a built-in default in force now (not saved; saving it makes it configured). */
  isBuiltin(id: string): boolean {
    return !this.list.some((p) => p.id === id) && this.providers().some((p) => p.id === id);
  }

  /** Called after every change (the tray and the UI refresh). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and applies a partial settings change; throws ConfigError naming the bad field. */
  updateSettings(patch: Readonly<Record<string, unknown>>): Settings {
    const parsed = SettingsSchema.safeParse({ ...this.current, ...patch });
    if (!parsed.success) throw new ConfigError(describeConfigIssues(parsed.error.issues).join('; '));
    this.current = parsed.data;
    this.persist();
    return this.current;
  }

  /**
   * Adds or replaces a provider (by id); its credentials are write-only: see ProviderInput. A stored key
   * and stored secret headers belong to the origin (scheme, host, port) they were saved for: a save that
   * moves the provider to another origin drops them unless it sets them again, so whoever can edit a
   * provider cannot send its key somewhere else.
   */
  saveProvider(input: ProviderInput): ProviderConfig {
    const existing = this.list.find((p) => p.id === input.id);
    const { apiKey, apiKeys, headers: given = {}, ...rest } = input;
    const kept = existing !== undefined && sameOrigin(existing.baseUrl, input.baseUrl) ? existing : undefined;
    const key = apiKey === undefined ? kept?.apiKey : (apiKey ?? undefined);
    const pool = apiKeys === undefined ? kept?.apiKeys : poolFrom(apiKeys, kept?.apiKeys ?? []);
    const givenNames = new Set(Object.keys(given).map((n) => n.toLowerCase()));
    const headers: Record<string, string> = {};
    const marks = [...(input.secretHeaders ?? [])];
    for (const [name, value] of Object.entries(kept?.headers ?? {})) {
      if (!isSecretHeader(kept!, name) || givenNames.has(name.toLowerCase())) continue;
      headers[name] = value;
      // A kept value stays secret: unmarking it would show it in the view without anyone retyping it.
      if (!isSecretHeader({ secretHeaders: marks }, name)) marks.push(name);
    }
    for (const [name, value] of Object.entries(given)) if (value !== null) headers[name] = value;
    const provider = validProvider({
      ...rest,
      headers,
      ...(input.secretHeaders !== undefined || marks.length > 0 ? { secretHeaders: marks } : {}),
      ...(key === undefined ? {} : { apiKey: key }),
      ...(pool === undefined || pool.length === 0 ? {} : { apiKeys: pool }),
    });
    this.list = existing
      ? this.list.map((p) => (p.id === provider.id ? provider : p))
      : [...this.list, provider];
    this.bind(provider);
    this.persist();
    return provider;
  }

  /**
   * The origin `id`'s key and secret headers were saved for, or null when it holds none. Whatever sends
   * them (the gateway, the provider test) sends them only there.
   */
  credentialOrigin(id: string): string | null {
    return this.bound.get(id) ?? null;
  }

  /** The routes in force, first match wins (see RouteSchema). */
  routes(): readonly RouteConfig[] {
    return this.routeList;
  }

  /**
   * Replaces the routes as a whole; throws ConfigError naming the bad field (`routes[1].providers[0]: no
   * provider "x"`). Applies to the next request.
   */
  setRoutes(value: unknown): readonly RouteConfig[] {
    const parsed = RouteSchema.array().max(200).safeParse(value);
    if (!parsed.success)
      throw new ConfigError(
        describeConfigIssues(parsed.error.issues.map((i) => ({ ...i, path: ['routes', ...i.path] }))).join(
          '; ',
        ),
      );
    const issues = routeIssues(
      parsed.data,
      this.providers().map((p) => p.id),
    );
    if (issues.length > 0) throw new ConfigError(describeConfigIssues(issues).join('; '));
    this.routeList = parsed.data;
    this.persist();
    return this.routeList;
  }

  /** Refused while a route names the provider: a route silently losing a provider would change who serves. */
  removeProvider(id: string): void {
    const naming = this.routeList.flatMap((r, i) => (r.providers.includes(id) ? [`routes[${i}]`] : []));
    if (naming.length > 0)
      throw new ConfigError(
        `provider "${id}" is named by ${naming.join(', ')}: take it out of the routes first`,
      );
    if (!this.list.some((p) => p.id === id)) throw new ConfigError(`no provider "${id}"`);
    this.list = this.list.filter((p) => p.id !== id);
    this.bound.delete(id);
    this.persist();
  }

  /** Sets priorities to follow `ids` (1, 2, 3…); ids not named keep their order after them. */
  reorder(given: readonly string[]): void {
    // A built-in default has no priority to set: it stays after every configured provider.
    const ids = given.filter((id) => !this.isBuiltin(id));
    const unknown = ids.find((id) => !this.list.some((p) => p.id === id));
    if (unknown !== undefined) throw new ConfigError(`no provider "${unknown}"`);
    const named = ids.map((id) => this.list.find((p) => p.id === id)!);
    const others = this.list.filter((p) => !ids.includes(p.id));
    this.list = [...named, ...others].map((p, i) => ({ ...p, priority: i + 1 }));
    this.persist();
  }

  /** Records the origin `p`'s credentials now belong to: its own, since a move drops them (saveProvider). */
  private bind(p: ProviderConfig): void {
    if (hasCredentials(p)) this.bound.set(p.id, originOf(p.baseUrl));
    else this.bound.delete(p.id);
  }

  private restore(p: StoredProvider, log: (line: string) => void): ProviderConfig[] {
    const open = (sealed: string, what: string): string | undefined => {
      try {
        return this.vault.open(sealed);
      } catch {
        log(`Sluice: the saved ${what} of provider "${p.id}" cannot be decrypted here; set it again`);
        return undefined;
      }
    };
    const apiKey = p.sealedKey === null ? undefined : open(p.sealedKey, 'key');
    const { [SEALED_HEADERS]: sealedHeaders, [SEALED_POOL]: sealedPool, ...config } = p.config;
    const apiKeys = Array.isArray(sealedPool)
      ? sealedPool.flatMap((sealed, i) => {
          const value = typeof sealed === 'string' ? open(sealed, `pool key ${i + 1}`) : undefined;
          return value === undefined ? [] : [value];
        })
      : [];
    const headers: Record<string, unknown> =
      typeof config.headers === 'object' && config.headers !== null ? { ...config.headers } : {};
    if (typeof sealedHeaders === 'object' && sealedHeaders !== null) {
      for (const [name, sealed] of Object.entries(sealedHeaders)) {
        const value = typeof sealed === 'string' ? open(sealed, `header ${name}`) : undefined;
        if (value !== undefined) headers[name] = value;
      }
    }
    const parsed = ProviderSchema.safeParse({
      ...config,
      headers,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(apiKeys.length === 0 ? {} : { apiKeys }),
    });
    if (parsed.success) return [parsed.data];
    log(
      `Sluice: saved provider "${p.id}" is invalid and was skipped: ${describeConfigIssues(parsed.error.issues).join('; ')}`,
    );
    return [];
  }

  private persist(): void {
    this.withDefaults = null;
    this.repo.saveProviders(
      this.list.map((p, i) => {
        const { apiKey, apiKeys, headers, ...rest } = p;
        const plain: Record<string, string> = {};
        const sealed: Record<string, string> = {};
        for (const [name, value] of Object.entries(headers)) {
          if (isSecretHeader(p, name)) sealed[name] = this.vault.seal(value);
          else plain[name] = value;
        }
        return {
          id: p.id,
          position: i,
          config: {
            ...rest,
            headers: plain,
            ...(Object.keys(sealed).length > 0 ? { [SEALED_HEADERS]: sealed } : {}),
            ...(apiKeys === undefined ? {} : { [SEALED_POOL]: apiKeys.map((k) => this.vault.seal(k)) }),
          },
          sealedKey: apiKey === undefined ? null : this.vault.seal(apiKey),
        };
      }),
    );
    const defaults = SettingsSchema.parse({});
    const changed = Object.fromEntries(
      Object.entries(this.current).filter(
        ([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k as keyof Settings]),
      ),
    );
    this.repo.saveSettings(changed);
    this.repo.saveRoutes(this.routeList);
    for (const l of this.listeners) l();
  }
}

/** Saved routes as they parse; one that no longer does is skipped with a line in the log. */
function restoreRoutes(stored: readonly unknown[], log: (line: string) => void): RouteConfig[] {
  return stored.flatMap((r, i) => {
    const parsed = RouteSchema.safeParse(r);
    if (parsed.success) return [parsed.data];
    log(
      `Sluice: saved route ${i} is invalid and was skipped: ${describeConfigIssues(parsed.error.issues).join('; ')}`,
    );
    return [];
  });
}
