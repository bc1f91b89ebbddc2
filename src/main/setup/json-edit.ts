import type { EditRecord, Editor, RevertResult } from './editor';
import { SetupError } from './text-file';

type JsonObject = Record<string, unknown>;

/** One key Sluice set: its path, the value it replaced (null: there was none) and the value written. */
export interface JsonKey {
  path: string[];
  prior: { value: unknown } | null;
  written: unknown;
}

export interface JsonRecord {
  kind: 'json';
  keys: JsonKey[];
  /** Objects Sluice had to create to hold its keys; removed again when they end up empty. */
  created: string[][];
}

/** One key to set. `onlyIfPresent`: set it only when the file already has it (an older format's key). */
export interface JsonSet {
  path: readonly string[];
  value: unknown;
  /** Shown instead of the value (a token). */
  secret?: string;
  onlyIfPresent?: boolean;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const samePath = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);
const show = (path: readonly string[]): string => path.join('.');

function parse(text: string | null, label: string, after: string): JsonObject {
  const body = (text ?? '').replace(/^\uFEFF/, '');
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new SetupError(
      `${label} is not valid JSON (${err instanceof Error ? err.message : String(err)}); ${after}`,
    );
  }
  if (!isObject(value)) throw new SetupError(`${label} does not hold a JSON object; ${after}`);
  return value;
}

/** The file's own indent (two spaces when it has none), so a rewrite keeps its look. */
function indentOf(text: string | null): string {
  const m = /^([ \t]+)["}\]]/m.exec(text ?? '');
  return m?.[1] ?? '  ';
}

function stringify(root: JsonObject, text: string | null): string {
  return `${JSON.stringify(root, null, indentOf(text))}\n`;
}

function lookup(root: JsonObject, path: readonly string[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, seg)) return { found: false, value: undefined };
    cur = cur[seg];
  }
  return { found: true, value: cur };
}

function parentOf(root: JsonObject, path: readonly string[]): JsonObject | null {
  const p = lookup(root, path.slice(0, -1));
  return p.found && isObject(p.value) ? p.value : null;
}

/** Puts back what a key held before Sluice (or removes the key when it had none). */
function restore(root: JsonObject, key: JsonKey): void {
  const parent = parentOf(root, key.path);
  if (parent === null) return;
  const last = key.path.at(-1)!;
  if (key.prior === null) Reflect.deleteProperty(parent, last);
  else parent[last] = key.prior.value;
}

function pruneCreated(root: JsonObject, created: readonly string[][]): void {
  for (const path of [...created].sort((a, b) => b.length - a.length)) {
    const here = lookup(root, path);
    if (here.found && isObject(here.value) && Object.keys(here.value).length === 0) {
      const parent = parentOf(root, path);
      if (parent !== null) Reflect.deleteProperty(parent, path.at(-1)!);
    }
  }
}

/** An editor setting keys of a JSON settings file, every other key kept as it was. */
export function jsonEditor(label: string, sets: readonly JsonSet[]): Editor {
  return {
    edit(text, earlier: EditRecord | null) {
      const root = parse(text, label, 'fix or move it, then run this again (nothing was written)');
      const before = earlier?.kind === 'json' ? earlier : null;
      const keys = before?.keys.map((k) => ({ ...k })) ?? [];
      const created = before?.created.map((c) => [...c]) ?? [];
      const changes: string[] = [];
      const wanted = sets.filter(
        (s) => !s.onlyIfPresent || lookup(root, s.path).found || keys.some((k) => samePath(k.path, s.path)),
      );
      // Keys an earlier apply set that are no longer wanted (the token, once no longer required).
      for (const k of keys.filter((k) => !wanted.some((s) => samePath(s.path, k.path)))) {
        if (same(lookup(root, k.path).value, k.written)) {
          restore(root, k);
          changes.push(k.prior === null ? `removed ${show(k.path)}` : `restored ${show(k.path)}`);
        }
        keys.splice(keys.indexOf(k), 1);
      }
      for (const s of wanted) {
        let obj = root;
        for (let i = 0; i < s.path.length - 1; i++) {
          const seg = s.path[i]!;
          const next = Object.hasOwn(obj, seg) ? obj[seg] : undefined;
          if (next === undefined) {
            obj[seg] = {};
            created.push(s.path.slice(0, i + 1));
          } else if (!isObject(next)) {
            throw new SetupError(
              `${label}: ${show(s.path.slice(0, i + 1))} is not an object; nothing was written`,
            );
          }
          obj = obj[seg] as JsonObject;
        }
        const last = s.path.at(-1)!;
        const had = Object.hasOwn(obj, last);
        const old = had ? obj[last] : undefined;
        const known = keys.find((k) => samePath(k.path, s.path));
        if (known === undefined)
          keys.push({ path: [...s.path], prior: had ? { value: old } : null, written: s.value });
        else known.written = s.value;
        const shown = `${show(s.path)} = ${s.secret ?? JSON.stringify(s.value)}`;
        const was = s.secret === undefined ? JSON.stringify(old) : 'another value';
        if (had && same(old, s.value)) changes.push(`${shown} (already)`);
        else changes.push(had ? `set ${shown} (was ${was})` : `set ${shown}`);
        obj[last] = s.value;
      }
      const unique = created.filter((c, i) => created.findIndex((d) => samePath(c, d)) === i);
      return { text: stringify(root, text), record: { kind: 'json', keys, created: unique }, changes };
    },
  };
}

/** Takes out the keys Sluice set that still hold what it wrote; keys the user changed stay. */
export function revertJson(text: string, record: JsonRecord, label: string): RevertResult {
  const root = parse(text, label, 'fix it, then undo again');
  const changes: string[] = [];
  for (const k of record.keys) {
    const now = lookup(root, k.path);
    if (!now.found) continue;
    if (!same(now.value, k.written)) {
      changes.push(`left ${show(k.path)}: you changed it`);
      continue;
    }
    restore(root, k);
    changes.push(k.prior === null ? `removed ${show(k.path)}` : `restored ${show(k.path)}`);
  }
  pruneCreated(root, record.created);
  return { text: stringify(root, text), changes, empty: Object.keys(root).length === 0 };
}
