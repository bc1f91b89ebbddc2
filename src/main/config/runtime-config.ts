import {
  ProviderSchema,
  describeConfigIssues,
  type ProviderConfig,
  type SluiceConfig,
} from '../../shared/config';
import { SettingsSchema, type Settings } from '../../shared/settings';
import type { KeyVault } from './key-vault';
import type { SettingsSource } from '../proxy/ports';
import type { ConfigRepo, StoredProvider } from '../store/write/config-repo';

/** A provider as the UI sends it: `apiKey` undefined keeps the stored key, null removes it, a string sets it. */
export type ProviderInput = Omit<ProviderConfig, 'apiKey'> & { apiKey?: string | null };

export class ConfigError extends Error {}

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
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly repo: ConfigRepo,
    private readonly vault: KeyVault,
    file: { config: SluiceConfig; explicit: boolean } | null,
    log: (line: string) => void,
  ) {
    const savedSettings = repo.loadSettings();
    const saved = repo.loadProviders().flatMap((p) => this.restore(p, log));
    const useFile = file !== null && (file.explicit || saved.length === 0);
    this.list = useFile ? [...file.config.providers] : saved;
    const parsed = SettingsSchema.safeParse({ ...savedSettings, ...(useFile ? file.config.settings : {}) });
    if (!parsed.success)
      throw new ConfigError(`settings: ${describeConfigIssues(parsed.error.issues).join('; ')}`);
    this.current = parsed.data;
    if (useFile && !file.explicit) this.persist();
  }

  settings(): Settings {
    return this.current;
  }

  providers(): readonly ProviderConfig[] {
    return this.list;
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

  /** Adds or replaces a provider (by id); the key is write-only: see ProviderInput. */
  saveProvider(input: ProviderInput): ProviderConfig {
    const existing = this.list.find((p) => p.id === input.id);
    const { apiKey, ...rest } = input;
    const key = apiKey === undefined ? existing?.apiKey : (apiKey ?? undefined);
    const provider = validProvider(key === undefined ? rest : { ...rest, apiKey: key });
    this.list = existing
      ? this.list.map((p) => (p.id === provider.id ? provider : p))
      : [...this.list, provider];
    this.persist();
    return provider;
  }

  removeProvider(id: string): void {
    if (!this.list.some((p) => p.id === id)) throw new ConfigError(`no provider "${id}"`);
    this.list = this.list.filter((p) => p.id !== id);
    this.persist();
  }

  /** Sets priorities to follow `ids` (1, 2, 3…); ids not named keep their order after them. */
  reorder(ids: readonly string[]): void {
    const unknown = ids.find((id) => !this.list.some((p) => p.id === id));
    if (unknown !== undefined) throw new ConfigError(`no provider "${unknown}"`);
    const named = ids.map((id) => this.list.find((p) => p.id === id)!);
    const others = this.list.filter((p) => !ids.includes(p.id));
    this.list = [...named, ...others].map((p, i) => ({ ...p, priority: i + 1 }));
    this.persist();
  }

  private restore(p: StoredProvider, log: (line: string) => void): ProviderConfig[] {
    let apiKey: string | undefined;
    if (p.sealedKey !== null) {
      try {
        apiKey = this.vault.open(p.sealedKey);
      } catch {
        log(`Sluice: the saved key of provider "${p.id}" cannot be decrypted here; set it again`);
      }
    }
    const parsed = ProviderSchema.safeParse(apiKey === undefined ? p.config : { ...p.config, apiKey });
    if (parsed.success) return [parsed.data];
    log(
      `Sluice: saved provider "${p.id}" is invalid and was skipped: ${describeConfigIssues(parsed.error.issues).join('; ')}`,
    );
    return [];
  }

  private persist(): void {
    this.repo.saveProviders(
      this.list.map((p, i) => {
        const { apiKey, ...config } = p;
        return {
          id: p.id,
          position: i,
          config,
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
    for (const l of this.listeners) l();
  }
}
