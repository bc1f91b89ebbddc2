import { describe, expect, it } from 'vitest';
import { codexEditor, revertCodex, type CodexRecord } from '../../../src/main/setup/codex-toml';
import { codexTable } from '../../../src/main/setup/plans';
import { SetupError } from '../../../src/main/setup/text-file';
import { scanToml } from '../../../src/main/setup/toml-scan';

const ctx = { url: 'http://127.0.0.1:8787', token: 't'.repeat(64), requireToken: false };
const table = codexTable(ctx);
const editor = codexEditor('config.toml', table);
const apply = (text: string | null, record: CodexRecord | null = null) => {
  const r = editor.edit(text, record);
  return { ...r, record: r.record as CodexRecord };
};
const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** The document's top-level keys and table headers, as a TOML reader would see them (by statements). */
function shape(text: string): string[] {
  return scanToml(text.split('\n').filter((_, i, a) => i < a.length - 1)).flatMap((s) =>
    s.kind === 'other' ? [] : [`${s.kind}:${[...s.table, ...s.key].join('.')}`],
  );
}

const FULL = lines(
  '# my Codex config',
  'model = "gpt-5"  # the default',
  'approval_policy = "on-request"',
  'notify = [',
  '  "notify-send",',
  '  "[not.a.table]",',
  ']',
  'instructions = """',
  '[model_providers.sluice]',
  'still a string"""',
  '',
  '# providers',
  '[model_providers.other]',
  'name = "Other"',
  'base_url = "https://other.example/v1"',
  'http_headers = { "X-A" = "[b]" }',
  '',
  '[profiles.deep]',
  'model = "o3"',
  '',
  '[[mcp_servers.list]]',
  "name = 'a'",
  '[[mcp_servers.list]]',
  "name = 'b'",
);

describe('codex config.toml edit', () => {
  it('creates a file with model_provider above the table', () => {
    const r = apply(null);
    expect(r.text).toBe(lines('model_provider = "sluice"', '', ...table));
    expect(r.record).toEqual({ kind: 'codex', priorProvider: null, priorTable: null });
  });

  it('keeps comments, other providers, profiles, arrays of tables and multi-line values', () => {
    const r = apply(FULL);
    const out = r.text.split('\n');
    // model_provider joins the top-level keys, after the last one (a multi-line string), before any table.
    expect(out.indexOf('model_provider = "sluice"')).toBe(out.indexOf('still a string"""') + 1);
    expect(r.text).toContain(`\n\n${table.join('\n')}\n`);
    expect(r.text.endsWith(`${table.join('\n')}\n`)).toBe(true);
    // Everything the user had is still there, in order.
    const without = r.text.replace('model_provider = "sluice"\n', '').replace(`\n${table.join('\n')}\n`, '');
    expect(without).toBe(FULL);
    expect(shape(r.text)).toEqual([
      'keyval:model',
      'keyval:approval_policy',
      'keyval:notify',
      'keyval:instructions',
      'keyval:model_provider',
      'table:model_providers.other',
      'keyval:model_providers.other.name',
      'keyval:model_providers.other.base_url',
      'keyval:model_providers.other.http_headers',
      'table:profiles.deep',
      'keyval:profiles.deep.model',
      'array-table:mcp_servers.list',
      'keyval:mcp_servers.list.name',
      'array-table:mcp_servers.list',
      'keyval:mcp_servers.list.name',
      'table:model_providers.sluice',
      'keyval:model_providers.sluice.name',
      'keyval:model_providers.sluice.base_url',
      'keyval:model_providers.sluice.wire_api',
      'keyval:model_providers.sluice.env_key',
    ]);
  });

  it('is idempotent: a second apply changes nothing and keeps the first priors', () => {
    const first = apply(FULL);
    const second = apply(first.text, first.record);
    expect(second.text).toBe(first.text);
    expect(second.record).toEqual(first.record);
    expect(second.changes.every((c) => c.endsWith('(already)'))).toBe(true);
  });

  it('replaces an existing model_provider and an existing sluice table with its sub-tables, in place', () => {
    const text = lines(
      'model_provider = "openai" # was here',
      '',
      '[model_providers.sluice]',
      'name = "Old"',
      'base_url = "http://127.0.0.1:9999/v1"',
      '',
      '[model_providers.sluice.auth]',
      'command = "x"',
      '',
      '# the next one',
      '[tui]',
      'notifications = true',
    );
    const r = apply(text);
    expect(r.text).toBe(
      lines('model_provider = "sluice"', '', ...table, '', '# the next one', '[tui]', 'notifications = true'),
    );
    expect(r.record.priorProvider).toEqual(['model_provider = "openai" # was here']);
    expect(r.record.priorTable).toEqual([
      '[model_providers.sluice]',
      'name = "Old"',
      'base_url = "http://127.0.0.1:9999/v1"',
      '',
      '[model_providers.sluice.auth]',
      'command = "x"',
    ]);
    expect(r.changes).toContain('set model_provider = "sluice" (was "openai")');
  });

  it('removes dotted definitions of the sluice provider from the top level and from [model_providers]', () => {
    const text = lines(
      'model_providers.sluice.name = "dotted"',
      '[model_providers]',
      'sluice = { name = "inline" }',
      'other.name = "keep"',
    );
    const r = apply(text);
    expect(r.text).not.toContain('dotted');
    expect(r.text).not.toContain('inline');
    expect(r.text).toContain('other.name = "keep"');
    expect(r.text.startsWith('model_provider = "sluice"\n[model_providers]')).toBe(true);
  });

  it('puts model_provider above the first table and the comments that head it', () => {
    const r = apply(lines('# header of tui', '[tui]', 'x = 1'));
    expect(r.text).toBe(
      lines('model_provider = "sluice"', '', '# header of tui', '[tui]', 'x = 1', '', ...table),
    );
  });

  it('writes the token as the bearer token when it is required', () => {
    const t = codexTable({ ...ctx, requireToken: true });
    expect(t.at(-1)).toMatch(/^experimental_bearer_token = "t{64}"/);
    expect(t.join('\n')).not.toContain('env_key');
  });

  it('keeps CRLF line endings', () => {
    const r = apply('model = "x"\r\n[tui]\r\nx = 1\r\n');
    expect(r.text).toBe(
      `model = "x"\r\nmodel_provider = "sluice"\r\n[tui]\r\nx = 1\r\n\r\n${table.join('\r\n')}\r\n`,
    );
  });

  it('refuses text that is not TOML, and an inline model_providers table, naming the line', () => {
    expect(() => apply('a = "unterminated\n')).toThrow(SetupError);
    expect(() => apply('a = "unterminated\n')).toThrow(
      /config\.toml is not valid TOML \(line 1: unterminated string\)/,
    );
    expect(() => apply('x = [1,\n2\n')).toThrow(/line 1: unclosed/);
    expect(() => apply('[table\n')).toThrow(/line 1/);
    expect(() => apply('ok = 1\n[a] b = 2\n')).toThrow(/line 2: text after a table header/);
    expect(() => apply('model_providers = { x = { name = "x" } }\n')).toThrow(/inline table \(line 1\)/);
  });

  it('undo after a user edit: takes out the table, restores the prior provider and table, keeps the rest', () => {
    const text = lines(
      'model_provider = "openai"',
      'model = "gpt-5"',
      '',
      '[model_providers.sluice]',
      'name = "Mine"',
      '',
      '[tui]',
      'x = 1',
    );
    const r = apply(text);
    const edited = `${r.text}\n[added.later]\ny = 2\n`;
    const back = revertCodex(edited, r.record, 'config.toml');
    expect(back.text).toBe(
      lines(
        'model_provider = "openai"',
        'model = "gpt-5"',
        '',
        '[model_providers.sluice]',
        'name = "Mine"',
        '',
        '[tui]',
        'x = 1',
        '',
        '[added.later]',
        'y = 2',
      ),
    );
    expect(back.empty).toBe(false);
  });

  it('undo leaves a model_provider the user switched away from', () => {
    const r = apply(lines('[tui]', 'x = 1'));
    const edited = r.text.replace('model_provider = "sluice"', 'model_provider = "openai"');
    const back = revertCodex(edited, r.record, 'config.toml');
    expect(back.text).toBe(lines('model_provider = "openai"', '', '[tui]', 'x = 1'));
    expect(back.changes).toContain('left model_provider = "openai": you changed it');
  });

  it('undo of a file Sluice created leaves nothing', () => {
    const r = apply(null);
    expect(revertCodex(`# a note\n${r.text}`, r.record, 'c').empty).toBe(false);
    expect(revertCodex(r.text, r.record, 'c')).toMatchObject({ text: '', empty: true });
  });
});

describe('TOML scan', () => {
  it('tells headers from look-alikes inside strings and arrays', () => {
    const s = scanToml([
      "a = '''",
      '[x]',
      "'''",
      'b = [',
      '  ["y"],',
      ']',
      'c = "\\"[z]"',
      '"quoted.key" . bare = 1',
      '[ t . "u.v" ] # c',
      '[[ arr ]]',
    ]);
    expect(s.map((x) => [x.kind, x.start, x.end, [...x.table, ...x.key].join('|')])).toEqual([
      ['keyval', 0, 2, 'a'],
      ['keyval', 3, 5, 'b'],
      ['keyval', 6, 6, 'c'],
      ['keyval', 7, 7, 'quoted.key|bare'],
      ['table', 8, 8, 't|u.v'],
      ['array-table', 9, 9, 'arr'],
    ]);
  });
});

describe('codex undo spacing', () => {
  it('takes the blank lines it added with what it added, and never more', () => {
    const created = apply(null);
    const edited = created.text.replace('wire_api = "responses"', 'wire_api = "responses"\nx = 1');
    expect(revertCodex(edited, created.record, 'c')).toMatchObject({ text: '', empty: true });
    const tables = apply(lines('[tui]', 'x = 1'));
    expect(revertCodex(`${tables.text}# later\n`, tables.record, 'c').text).toBe(
      lines('[tui]', 'x = 1', '', '# later'),
    );
    expect(revertCodex(`${tables.text}\n[later]\n`, tables.record, 'c').text).toBe(
      lines('[tui]', 'x = 1', '', '[later]'),
    );
  });
});
