/**
 * One CSV field (RFC 4180), safe to open in a spreadsheet. Text a client or an upstream chose (a model
 * name, a User-Agent, an error message) may start like a formula: by the OWASP rule, a text field that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so spreadsheets show it
 * as text instead of evaluating it. Numbers are written as they are (they cannot hold a formula). Null
 * is the empty field; a field holding `"`, `,`, CR or LF is quoted, quotes doubled.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
