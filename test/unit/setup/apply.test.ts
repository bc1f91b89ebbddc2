import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applySetup, undoSetup } from '../../../src/main/setup/apply';
import { jsonEditor } from '../../../src/main/setup/json-edit';
import { backupDir, loadManifest } from '../../../src/main/setup/manifest';
import { targetsFor, type TargetOptions } from '../../../src/main/setup/targets';
import { sha256 } from '../../../src/main/setup/text-file';

const dirs: string[] = [];
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-setup-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const ctx = { url: 'http://127.0.0.1:8787', token: 'ab'.repeat(32), requireToken: false };
const now = new Date('2030-01-02T03:04:05.678Z');
const mode = (f: string): number => fs.statSync(f).mode & 0o777;

function setup(): { home: string; data: string; o: TargetOptions } {
  const home = tmp();
  return { home, data: path.join(home, 'data'), o: { home, env: { SHELL: '/bin/zsh' } } };
}

describe('apply and undo', () => {
  it('backs up the original once, keeps the mode, and undo restores it byte for byte', () => {
    const { home, data, o } = setup();
    const file = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    const original = Buffer.from('{"theme":"dark",   "env":{}}');
    fs.writeFileSync(file, original, { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    const dir = backupDir(data, 'claude-code');
    const report = applySetup('claude-code', targetsFor('claude-code', ctx, o), dir, now);
    expect(report).toContain(`  set env.ANTHROPIC_BASE_URL = "${ctx.url}"`);
    expect(mode(file)).toBe(0o640);
    const manifest = loadManifest(dir)!;
    const backup = manifest.files[0]!.backup!;
    expect(path.basename(backup)).toBe('settings.json.2030-01-02T03-04-05-678Z.orig');
    expect(fs.readFileSync(backup)).toEqual(original);
    expect(manifest.files[0]).toMatchObject({
      path: file,
      existed: true,
      mode: 0o640,
      originalSha256: sha256(original),
      writtenSha256: sha256(fs.readFileSync(file)),
      editedSince: false,
    });

    // Again (a day later): nothing written, no second backup.
    const again = applySetup('claude-code', targetsFor('claude-code', ctx, o), dir, new Date('2030-01-03'));
    expect(again).toContain('  nothing to change');
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', path.basename(backup)]);

    const undone = undoSetup(dir)!;
    expect(undone.report).toEqual([`${file}: restored the original, byte for byte`]);
    expect(fs.readFileSync(file)).toEqual(original);
    expect(mode(file)).toBe(0o640);
    expect(fs.existsSync(dir)).toBe(false);
    expect(undoSetup(dir)).toBeNull();
  });

  it('re-applying after a user edit keeps the first backup, and undo then edits instead of restoring', () => {
    const { home, data, o } = setup();
    const file = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, '{"env":{"ANTHROPIC_BASE_URL":"https://mine"}}');
    const dir = backupDir(data, 'claude-code');
    applySetup('claude-code', targetsFor('claude-code', ctx, o), dir, now);
    const backup = loadManifest(dir)!.files[0]!.backup!;
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), model: 'x' }));
    applySetup(
      'claude-code',
      targetsFor('claude-code', { ...ctx, url: 'http://127.0.0.1:9000' }, o),
      dir,
      now,
    );
    expect(loadManifest(dir)!.files[0]).toMatchObject({ backup, editedSince: true });
    const undone = undoSetup(dir)!;
    expect(undone.report[0]).toBe(
      `${file}: changed since Sluice wrote it, so only Sluice's entries were taken out:`,
    );
    expect(undone.report).toContain(`  the original stays at ${backup}`);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      env: { ANTHROPIC_BASE_URL: 'https://mine' },
      model: 'x',
    });
    expect(fs.existsSync(backup)).toBe(true);
    expect(loadManifest(dir)).toBeNull();
  });

  it('writes through a symlinked profile, and deletes what it created on undo', () => {
    const { home, data, o } = setup();
    const real = path.join(home, 'dotfiles', 'zshrc');
    fs.mkdirSync(path.dirname(real));
    fs.writeFileSync(real, 'alias g=git\n');
    fs.symlinkSync(real, path.join(home, '.zshrc'));
    const dir = backupDir(data, 'openai-compatible');
    applySetup('openai-compatible', targetsFor('openai-compatible', ctx, o), dir, now);
    expect(fs.lstatSync(path.join(home, '.zshrc')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toContain(`export OPENAI_BASE_URL=${ctx.url}/v1`);
    undoSetup(dir);
    expect(fs.readFileSync(real, 'utf8')).toBe('alias g=git\n');

    const fish = { ...o, env: { SHELL: '/usr/bin/fish' } };
    const token = { ...ctx, requireToken: true };
    applySetup('openai-compatible', targetsFor('openai-compatible', token, fish), dir, now);
    const conf = path.join(home, '.config', 'fish', 'conf.d', 'sluice.fish');
    expect(fs.readFileSync(conf, 'utf8')).toContain(`set -gx OPENAI_API_KEY ${ctx.token}\n`);
    expect(mode(conf)).toBe(0o600);
    expect(undoSetup(dir)!.report).toEqual([`${conf}: removed (it did not exist before Sluice)`]);
    expect(fs.existsSync(conf)).toBe(false);
  });

  it('writes nothing at all when one of the files is refused', () => {
    const { home, data, o } = setup();
    fs.mkdirSync(path.join(home, '.gemini'));
    fs.writeFileSync(path.join(home, '.gemini', 'settings.json'), '{ // a comment\n}');
    const dir = backupDir(data, 'gemini-cli');
    expect(() => applySetup('gemini-cli', targetsFor('gemini-cli', ctx, o), dir, now)).toThrow(
      /settings\.json is not valid JSON/,
    );
    expect(fs.readdirSync(path.join(home, '.gemini'))).toEqual(['settings.json']);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('when a write fails, forgets the files it did not write', () => {
    const { home, data } = setup();
    fs.writeFileSync(path.join(home, 'blocker'), 'a file, not a folder');
    const ok = path.join(home, 'ok.json');
    const bad = path.join(home, 'blocker', 'x.json');
    const dir = backupDir(data, 'claude-code');
    const targets = [ok, bad].map((p) => ({
      path: p,
      createMode: 0o644,
      editor: jsonEditor(p, [{ path: ['a'], value: 1 }]),
    }));
    expect(() => applySetup('claude-code', targets, dir, now)).toThrow(`cannot write ${bad}: E`);
    expect(JSON.parse(fs.readFileSync(ok, 'utf8'))).toEqual({ a: 1 });
    expect(loadManifest(dir)!.files.map((f) => f.path)).toEqual([ok]);
  });

  it('keeps a manifest entry it could not undo, for another try', () => {
    const { home, data, o } = setup();
    const dir = backupDir(data, 'claude-code');
    applySetup('claude-code', targetsFor('claude-code', ctx, o), dir, now);
    const file = path.join(home, '.claude', 'settings.json');
    fs.writeFileSync(file, 'not json any more');
    const undone = undoSetup(dir)!;
    expect(undone.failed).toEqual([
      expect.stringMatching(/settings\.json is not valid JSON .*; fix it, then undo again$/),
    ]);
    expect(loadManifest(dir)!.files).toHaveLength(1);
  });
});
