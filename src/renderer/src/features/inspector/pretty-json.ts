import { parseJson } from '../../../../formats/common/json-read';

/** Pretty-prints JSON text (2 spaces); anything that is not JSON comes back as it was. */
export function prettyJson(text: string): string {
  const v = parseJson(text);
  return v === undefined ? text : JSON.stringify(v, null, 2);
}
