import { describe, expect, it } from 'vitest';
import { dotenvEditor, revertDotenv, type DotenvRecord } from '../../../src/main/setup/dotenv-edit';
import { jsonEditor, revertJson, type JsonRecord } from '../../../src/main/setup/json-edit';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  blockEditor,
  blockLines,
  revertBlock,
  shellProfile,
} from '../../../src/main/setup/shell-block';
import { SetupError } from '../../../src/main/setup/text-file';

const URL_ = 'http://127.0.0.1:8787';

describe('JSON settings edit', () => {
  const claude = jsonEditor('settings.json', [{ path: ['env', 'ANTHROPIC_BASE_URL'], value: URL_ }]);
  const apply = (text: string | null, record: JsonRecord | null = null) => {
    const r = claude.edit(text, record);
    return { ...r, record: r.record as JsonRecord };
  };

  it('merges into the existing object, keeping every other key, its order and the file indent', () => {
    const text =
      '{\n    "model": "opus",\n    "env": { "FOO": "1" },\n    "permissions": { "allow": ["Bash"] }\n}\n';
    const r = apply(text);
    expect(JSON.parse(r.text)).toEqual({
      model: 'opus',
      env: { FOO: '1', ANTHROPIC_BASE_URL: URL_ },
      permissions: { allow: ['Bash'] },
    });
    expect(Object.keys(JSON.parse(r.text) as object)).toEqual(['model', 'env', 'permissions']);
    expect(r.text).toContain('\n    "model": "opus"');
    expect(r.changes).toEqual([`set env.ANTHROPIC_BASE_URL = "${URL_}"`]);
  });

  it('refuses invalid JSON and a non-object, naming the file', () => {
    expect(() => apply('{ "a": 1, }')).toThrow(SetupError);
    expect(() => apply('{ "a": 1, }')).toThrow(/^settings\.json is not valid JSON \(.+\); fix or move it/);
    expect(() => apply('[1]')).toThrow(/does not hold a JSON object/);
    expect(() => apply('{ "env": "x" }')).toThrow(/env is not an object/);
  });

  it('is idempotent and keeps the first prior; undo restores it', () => {
    const first = apply('{ "env": { "ANTHROPIC_BASE_URL": "https://mine" } }');
    const second = apply(first.text, first.record);
    expect(second.text).toBe(first.text);
    expect(second.record.keys[0]!.prior).toEqual({ value: 'https://mine' });
    const edited = JSON.stringify({ ...(JSON.parse(first.text) as object), theme: 'dark' });
    const back = revertJson(edited, second.record, 'settings.json');
    expect(JSON.parse(back.text)).toEqual({ env: { ANTHROPIC_BASE_URL: 'https://mine' }, theme: 'dark' });
    expect(back.changes).toEqual(['restored env.ANTHROPIC_BASE_URL']);
  });

  it('undo removes the objects it created once empty, and leaves values the user changed', () => {
    const r = apply('{ "theme": "dark" }');
    expect(r.record.created).toEqual([['env']]);
    expect(JSON.parse(revertJson(r.text, r.record, 's').text)).toEqual({ theme: 'dark' });
    const changed = r.text.replace(URL_, 'http://elsewhere');
    const back = revertJson(changed, r.record, 's');
    expect(JSON.parse(back.text)).toEqual({ theme: 'dark', env: { ANTHROPIC_BASE_URL: 'http://elsewhere' } });
    expect(back.changes).toEqual(['left env.ANTHROPIC_BASE_URL: you changed it']);
    expect(revertJson(apply(null).text, apply(null).record, 's').empty).toBe(true);
  });

  it('drops a key an earlier apply set that is no longer wanted (the token, once not required)', () => {
    const withToken = jsonEditor('s', [
      { path: ['env', 'ANTHROPIC_BASE_URL'], value: URL_ },
      { path: ['env', 'ANTHROPIC_AUTH_TOKEN'], value: 'tok', secret: '<the local token>' },
    ]).edit('{}', null);
    expect(withToken.changes).toContain('set env.ANTHROPIC_AUTH_TOKEN = <the local token>');
    const without = apply(withToken.text, withToken.record as JsonRecord);
    expect(JSON.parse(without.text)).toEqual({ env: { ANTHROPIC_BASE_URL: URL_ } });
    expect(without.record.keys.map((k) => k.path.join('.'))).toEqual(['env.ANTHROPIC_BASE_URL']);
  });

  it('sets an older format key only when the file has it', () => {
    const gemini = jsonEditor('s', [
      { path: ['security', 'auth', 'selectedType'], value: 'gemini-api-key' },
      { path: ['selectedAuthType'], value: 'gemini-api-key', onlyIfPresent: true },
    ]);
    expect(JSON.parse(gemini.edit('{}', null).text)).toEqual({
      security: { auth: { selectedType: 'gemini-api-key' } },
    });
    expect(JSON.parse(gemini.edit('{ "selectedAuthType": "oauth-personal" }', null).text)).toEqual({
      selectedAuthType: 'gemini-api-key',
      security: { auth: { selectedType: 'gemini-api-key' } },
    });
  });
});

describe('dotenv edit', () => {
  const note = '# placeholder note';
  const ed = (req: boolean) =>
    dotenvEditor(
      [['GOOGLE_GEMINI_BASE_URL', URL_], ...(req ? [['GEMINI_API_KEY', 'tok'] as const] : [])],
      req ? [] : [{ key: 'GEMINI_API_KEY', value: 'sluice', note }],
      ['GEMINI_API_KEY'],
    );

  it('adds the base URL and a placeholder key (with its note) to an empty file', () => {
    const r = ed(false).edit(null, null);
    expect(r.text).toBe(`GOOGLE_GEMINI_BASE_URL=${URL_}\n${note}\nGEMINI_API_KEY=sluice\n`);
    expect(ed(false).edit(r.text, r.record).text).toBe(r.text);
  });

  it("keeps the user's own key, replaces the base URL where it stands", () => {
    const text = '# mine\nexport GOOGLE_GEMINI_BASE_URL=https://x\nGEMINI_API_KEY=AIza-real\nOTHER=1\n';
    const r = ed(false).edit(text, null);
    expect(r.text).toBe(`# mine\nGOOGLE_GEMINI_BASE_URL=${URL_}\nGEMINI_API_KEY=AIza-real\nOTHER=1\n`);
    expect(r.changes).toContain('kept your GEMINI_API_KEY');
    expect(revertDotenv(r.text, r.record as DotenvRecord).text).toBe(text);
  });

  it('with the token required replaces the key, and gives it back when no longer required', () => {
    const text = 'GEMINI_API_KEY=AIza-real\n';
    const req = ed(true).edit(text, null);
    expect(req.text).toBe(`GEMINI_API_KEY=tok\nGOOGLE_GEMINI_BASE_URL=${URL_}\n`);
    expect(req.changes.join('\n')).not.toContain('tok\n');
    const off = ed(false).edit(req.text, req.record);
    expect(off.text).toBe(`GEMINI_API_KEY=AIza-real\nGOOGLE_GEMINI_BASE_URL=${URL_}\n`);
  });

  it('undo after an edit removes only the lines still as Sluice wrote them', () => {
    const r = ed(false).edit('A=1\n', null);
    const edited = r.text.replace('GEMINI_API_KEY=sluice', 'GEMINI_API_KEY=mine') + 'B=2\n';
    const back = revertDotenv(edited, r.record as DotenvRecord);
    expect(back.text).toBe(`A=1\n${note}\nGEMINI_API_KEY=mine\nB=2\n`);
    expect(back.changes).toEqual(['removed GOOGLE_GEMINI_BASE_URL', 'left GEMINI_API_KEY: you changed it']);
  });
});

describe('shell profile block', () => {
  const block = blockLines([['OPENAI_BASE_URL', `${URL_}/v1`]], 'posix', '# note');

  it('picks the profile from $SHELL', () => {
    expect(shellProfile('/h', '/bin/zsh').file).toBe('/h/.zshrc');
    expect(shellProfile('/h', '/usr/bin/bash').file).toBe('/h/.bashrc');
    expect(shellProfile('/h', '/usr/local/bin/fish')).toEqual({
      file: '/h/.config/fish/conf.d/sluice.fish',
      kind: 'fish',
    });
    expect(shellProfile('/h', undefined).file).toBe('/h/.profile');
    expect(blockLines([['A', 'b']], 'fish', '# n')).toEqual([BLOCK_BEGIN, '# n', 'set -gx A b', BLOCK_END]);
  });

  it('appends once, replaces in place, and undo removes it with the blank line it added', () => {
    const ed = blockEditor('.zshrc', block);
    const text = 'alias ll="ls -l"\n';
    const r = ed.edit(text, null);
    expect(r.text).toBe(`alias ll="ls -l"\n\n${block.join('\n')}\n`);
    expect(ed.edit(r.text, r.record).text).toBe(r.text);
    const moved = `${r.text}export PATH=x\n`;
    const newer = blockLines([['OPENAI_BASE_URL', 'http://127.0.0.1:9/v1']], 'posix', '# note');
    expect(blockEditor('.zshrc', newer).edit(moved, null).text).toBe(
      `alias ll="ls -l"\n\n${newer.join('\n')}\nexport PATH=x\n`,
    );
    expect(revertBlock(r.text, '.zshrc').text).toBe(text);
    expect(revertBlock(moved, '.zshrc').text).toBe(`alias ll="ls -l"\n\nexport PATH=x\n`);
  });

  it('refuses a begin marker without its end', () => {
    expect(() => blockEditor('.zshrc', block).edit(`${BLOCK_BEGIN}\nexport A=1\n`, null)).toThrow(
      /\.zshrc has a `# >>> sluice >>>` line without `# <<< sluice <<<`/,
    );
  });
});
