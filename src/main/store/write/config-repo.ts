// Writes and reads: runtime-config saves and loads providers, settings and routes, setup/ only loads; here for its main use.
import type BetterSqlite3 from 'better-sqlite3';

/** A provider as stored: its config without the key, and the sealed key (never a plain one). */
export interface StoredProvider {
  id: string;
  position: number;
  /** The provider's config as JSON-ready data, `apiKey` removed. */
  config: Record<string, unknown>;
  /** The key as the KeyVault sealed it, or null. */
  sealedKey: string | null;
}

/** The only code that reads or writes the `providers`, `settings` and `routes` tables. */
export interface ConfigRepo {
  loadProviders(): StoredProvider[];
  /** Replaces the whole provider list in one transaction (order = position). */
  saveProviders(list: readonly StoredProvider[]): void;
  loadSettings(): Record<string, unknown>;
  /** Replaces the saved settings (only keys that differ from the defaults need be passed). */
  saveSettings(values: Readonly<Record<string, unknown>>): void;
  /** The saved routes in order, as stored (the caller validates them). */
  loadRoutes(): unknown[];
  /** Replaces the saved routes in one transaction (order = position). */
  saveRoutes(list: readonly unknown[]): void;
}

interface ProviderRow {
  id: string;
  position: number;
  config: string;
  key_ref: string | null;
}

export function createConfigRepo(db: BetterSqlite3.Database): ConfigRepo {
  const listProviders = db.prepare<[], ProviderRow>(
    'SELECT id, position, config, key_ref FROM providers ORDER BY position, id',
  );
  const clearProviders = db.prepare('DELETE FROM providers');
  const insertProvider = db.prepare(
    'INSERT INTO providers (id, position, config, key_ref, updated_at) VALUES (@id, @position, @config, @keyRef, @now)',
  );
  const listSettings = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
  const clearSettings = db.prepare('DELETE FROM settings');
  const insertSetting = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');

  // Prepared on first use: `sluice setup` reads settings read-only from a file that may predate schema 8.
  let routeStatements: {
    list: BetterSqlite3.Statement<[], { config: string }>;
    replace: (list: readonly unknown[]) => void;
  } | null = null;
  const routes = (): NonNullable<typeof routeStatements> => {
    if (routeStatements !== null) return routeStatements;
    const clear = db.prepare('DELETE FROM routes');
    const insert = db.prepare('INSERT INTO routes (position, config, updated_at) VALUES (?, ?, ?)');
    routeStatements = {
      list: db.prepare<[], { config: string }>('SELECT config FROM routes ORDER BY position'),
      replace: db.transaction((list: readonly unknown[]) => {
        clear.run();
        const now = Date.now();
        list.forEach((r, i) => insert.run(i, JSON.stringify(r), now));
      }),
    };
    return routeStatements;
  };

  const replaceProviders = db.transaction((list: readonly StoredProvider[]) => {
    clearProviders.run();
    const now = Date.now();
    for (const p of list) {
      insertProvider.run({
        id: p.id,
        position: p.position,
        config: JSON.stringify(p.config),
        keyRef: p.sealedKey,
        now,
      });
    }
  });
  const replaceSettings = db.transaction((values: Readonly<Record<string, unknown>>) => {
    clearSettings.run();
    const now = Date.now();
    for (const [key, value] of Object.entries(values)) insertSetting.run(key, JSON.stringify(value), now);
  });

  return {
    loadProviders: () =>
      listProviders.all().map((r) => ({
        id: r.id,
        position: r.position,
        config: JSON.parse(r.config) as Record<string, unknown>,
        sealedKey: r.key_ref,
      })),
    saveProviders: (list) => replaceProviders(list),
    loadSettings: () =>
      Object.fromEntries(listSettings.all().map((r) => [r.key, JSON.parse(r.value) as unknown])),
    saveSettings: (values) => replaceSettings(values),
    loadRoutes: () =>
      routes()
        .list.all()
        .map((r) => JSON.parse(r.config) as unknown),
    saveRoutes: (list) => routes().replace(list),
  };
}
