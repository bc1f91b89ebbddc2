import { asArray, asNumber, asObject, asString, type JsonObject } from '../common/json-read';

/*
 * Tool schemas between JSON Schema (what Anthropic, Chat and Responses clients send) and the
 * OpenAPI 3.0 subset Gemini's `functionDeclarations[].parameters` accepts (`Schema` in @google/genai:
 * type, format, title, description, nullable, enum, items, properties, required, propertyOrdering,
 * anyOf, default, example, min/maxItems, min/maxLength, min/maxProperties, minimum, maximum, pattern).
 * Gemini answers 400 for any other keyword, for `type: "null"`, for a `required` name with no property,
 * and for an OBJECT with empty `properties`. What has no equivalent is rewritten to the nearest
 * inclusive form, or said in the description, never silently tightened.
 */

/** How deep a schema is walked (and `$ref`s expanded); deeper parts become an untyped schema. */
const MAX_DEPTH = 24;

/** Keywords Gemini's Schema carries as they are. */
const KEEP: ReadonlySet<string> = new Set([
  'title',
  'description',
  'default',
  'pattern',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minProperties',
  'maxProperties',
  'propertyOrdering',
]);

/** `format`s Gemini documents per type; others are said in the description instead. */
const FORMATS: Readonly<Record<string, readonly string[]>> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};

const TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

interface Walk {
  defs: JsonObject;
  /** `$ref`s being expanded on the current path: a cycle is cut there. */
  expanding: string[];
}

/** A JSON Schema rewritten for Gemini's `parameters` (same meaning, Gemini's keywords); the input is not changed. */
export function cleanSchemaForGemini(schema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const defs = { ...(asObject(schema.definitions) ?? {}), ...(asObject(schema.$defs) ?? {}) };
  return clean(schema, { defs, expanding: [] }, 0);
}

/** Whether a cleaned schema has nothing for Gemini to read (an object with no properties): omit `parameters`. */
export function isEmptyGeminiSchema(schema: Readonly<Record<string, unknown>>): boolean {
  const props = asObject(schema.properties);
  return (
    (schema.type === 'OBJECT' || schema.type === undefined) &&
    (props === null || Object.keys(props).length === 0) &&
    schema.anyOf === undefined
  );
}

function note(out: JsonObject, text: string): void {
  const d = asString(out.description);
  out.description = d === null || d.length === 0 ? text : `${d} (${text})`;
}

function resolveRef(ref: string, walk: Walk): JsonObject | null {
  const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
  if (m === null) return null;
  const name = m[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
  return asObject(walk.defs[name]);
}

function clean(input: Readonly<JsonObject>, walk: Walk, depth: number): JsonObject {
  if (depth > MAX_DEPTH) return {};
  let schema: Readonly<JsonObject> = input;

  const ref = asString(schema.$ref);
  if (ref !== null) {
    const target = resolveRef(ref, walk);
    if (target === null || walk.expanding.includes(ref)) {
      const out: JsonObject = { type: 'OBJECT' };
      note(out, `recursive or external schema ${ref}`);
      if (typeof schema.description === 'string') note(out, schema.description);
      return out;
    }
    walk.expanding.push(ref);
    // Siblings of $ref (description…) win over the target's, as in JSON Schema 2019+.
    const { $ref: _ref, ...siblings } = schema;
    const out = clean({ ...target, ...siblings }, walk, depth + 1);
    walk.expanding.pop();
    return out;
  }

  const allOf = asArray(schema.allOf);
  if (allOf !== null) schema = mergeAllOf(schema, allOf, walk);

  const out: JsonObject = {};
  for (const key of KEEP) if (schema[key] !== undefined) out[key] = schema[key];
  const examples = asArray(schema.examples);
  if (schema.example !== undefined) out.example = schema.example;
  else if (examples !== null && examples.length > 0) out.example = examples[0];

  // type: a list with "null" is a nullable type; several types are an anyOf.
  let nullable = schema.nullable === true;
  let types: string[] = [];
  const rawType = schema.type;
  for (const t of Array.isArray(rawType) ? (rawType as unknown[]) : [rawType]) {
    if (t === 'null') nullable = true;
    else if (typeof t === 'string' && TYPES.has(t.toLowerCase())) types.push(t.toLowerCase());
  }
  if (types.includes('integer') && types.includes('number')) types = types.filter((t) => t !== 'integer');

  // const and enum: Gemini enums are strings; numbers keep their type with `format: enum`.
  let values: unknown[] | null = asArray(schema.enum)?.slice() ?? null;
  if (schema.const !== undefined) values = [schema.const];
  if (values !== null) {
    if (values.includes(null)) nullable = true;
    values = values.filter((v) => v !== null);
  }

  const anyOf = asArray(schema.anyOf) ?? asArray(schema.oneOf);
  if (anyOf !== null) {
    const branches: JsonObject[] = [];
    for (const b of anyOf) {
      const branch = asObject(b);
      if (branch === null) continue;
      if (branch.type === 'null' && Object.keys(branch).length === 1) {
        nullable = true;
        continue;
      }
      branches.push(clean(branch, walk, depth + 1));
    }
    if (schema.oneOf !== undefined && schema.anyOf === undefined)
      note(out, 'exactly one of the alternatives');
    if (branches.length === 1 && types.length === 0) {
      const only = branches[0]!;
      const description = asString(out.description);
      const inner = asString(only.description);
      Object.assign(out, only);
      if (description !== null && inner !== null && description !== inner)
        out.description = `${description} (${inner})`;
      else if (description !== null) out.description = description;
    } else if (branches.length > 0) out.anyOf = branches;
  }

  if (types.length > 1) {
    out.anyOf = types.map((t) =>
      clean({ ...schema, type: t, anyOf: undefined, oneOf: undefined }, walk, depth + 1),
    );
    types = [];
  }
  const type = types[0] ?? inferType(schema, values);
  if (type !== null) out.type = type.toUpperCase();

  if (values !== null) {
    if (values.length > 0 && values.every((v) => typeof v === 'string' || typeof v === 'number')) {
      out.enum = values.map(String);
      if (type === 'number' || type === 'integer') out.format = 'enum';
    } else if (values.length > 0) note(out, `one of ${JSON.stringify(values)}`);
  }

  const format = asString(schema.format);
  if (format !== null && out.format === undefined) {
    if (FORMATS[String(out.type)]?.includes(format) === true) out.format = format;
    else note(out, `format: ${format}`);
  }

  bounds(schema, out, type);

  const properties = asObject(schema.properties);
  if (properties !== null) {
    const props: JsonObject = {};
    for (const [name, value] of Object.entries(properties)) {
      const sub = asObject(value);
      if (sub !== null) props[name] = clean(sub, walk, depth + 1);
    }
    if (Object.keys(props).length > 0) out.properties = props;
    const required = asArray(schema.required)?.filter(
      (r): r is string => typeof r === 'string' && Object.hasOwn(props, r),
    );
    if (required !== undefined && required.length > 0) out.required = [...new Set(required)];
  }
  if (out.propertyOrdering !== undefined) {
    const props = asObject(out.properties) ?? {};
    const order = asArray(out.propertyOrdering)?.filter(
      (n) => typeof n === 'string' && Object.hasOwn(props, n),
    );
    if (order === undefined || order.length === 0) delete out.propertyOrdering;
    else out.propertyOrdering = order;
  }

  const items = Array.isArray(schema.items) ? asObject(schema.items[0]) : asObject(schema.items);
  if (items !== null) out.items = clean(items, walk, depth + 1);
  else if (type === 'array' && Array.isArray(schema.prefixItems)) {
    const first = asObject(schema.prefixItems[0]);
    if (first !== null) out.items = clean(first, walk, depth + 1);
  }

  if (schema.uniqueItems === true) note(out, 'items must be unique');
  const multipleOf = asNumber(schema.multipleOf);
  if (multipleOf !== null) note(out, `a multiple of ${multipleOf}`);
  if (nullable) out.nullable = true;
  // A bare `null` schema (no other type) still needs a type: Gemini rejects `type: null`.
  if (out.type === undefined && out.anyOf === undefined && nullable && values === null) out.type = 'STRING';
  return out;
}

/** A type implied by the keywords present, when `type` is absent. */
function inferType(schema: Readonly<JsonObject>, values: readonly unknown[] | null): string | null {
  if (values !== null && values.length > 0) {
    if (values.every((v) => typeof v === 'string')) return 'string';
    if (values.every((v) => typeof v === 'number'))
      return values.every(Number.isInteger) ? 'integer' : 'number';
    if (values.every((v) => typeof v === 'boolean')) return 'boolean';
    return null;
  }
  if (schema.properties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  return null;
}

/** minimum/maximum, with exclusive bounds made inclusive (exact for integers, one-sided for numbers). */
function bounds(schema: Readonly<JsonObject>, out: JsonObject, type: string | null): void {
  const step = type === 'integer' ? 1 : 0;
  let min = asNumber(schema.minimum);
  let max = asNumber(schema.maximum);
  const exMin = schema.exclusiveMinimum;
  const exMax = schema.exclusiveMaximum;
  // Draft 2019+: a number; draft 4: a boolean on minimum/maximum.
  if (typeof exMin === 'number') {
    const candidate = exMin + step;
    min = min === null ? candidate : Math.max(min, candidate);
  } else if (exMin === true && min !== null) min += step;
  if (typeof exMax === 'number') {
    const candidate = exMax - step;
    max = max === null ? candidate : Math.min(max, candidate);
  } else if (exMax === true && max !== null) max -= step;
  if (step === 0 && (typeof exMin === 'number' || exMin === true)) note(out, `greater than ${min}`);
  if (step === 0 && (typeof exMax === 'number' || exMax === true)) note(out, `less than ${max}`);
  if (min !== null) out.minimum = min;
  if (max !== null) out.maximum = max;
}

/** allOf merged into one schema: properties and required are unioned, other keys first wins. */
function mergeAllOf(schema: Readonly<JsonObject>, allOf: readonly unknown[], walk: Walk): JsonObject {
  const { allOf: _allOf, ...base } = schema;
  const merged: JsonObject = { ...base };
  const properties: JsonObject = { ...(asObject(base.properties) ?? {}) };
  const required = new Set<string>((asArray(base.required) ?? []).filter((r) => typeof r === 'string'));
  for (const entry of allOf) {
    let part = asObject(entry);
    const ref = asString(part?.$ref);
    if (ref !== null && !walk.expanding.includes(ref)) part = resolveRef(ref, walk) ?? part;
    if (part === null) continue;
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties') Object.assign(properties, asObject(v) ?? {});
      else if (k === 'required')
        for (const r of asArray(v) ?? [])
          if (typeof r === 'string') required.add(r);
          else if (merged[k] === undefined) merged[k] = v;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

/**
 * A Gemini `Schema` (upper-case OpenAPI types, `nullable`, `format: enum` on numbers) as JSON Schema,
 * for a Gemini client's tools sent to another format. `parametersJsonSchema` is JSON Schema already.
 */
export function geminiSchemaToJsonSchema(
  schema: Readonly<Record<string, unknown>>,
  depth = 0,
): Record<string, unknown> {
  if (depth > MAX_DEPTH) return {};
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case 'type':
      case 'nullable':
      case 'propertyOrdering':
        break;
      case 'format':
        if (value !== 'enum') out.format = value;
        break;
      case 'properties': {
        const props: JsonObject = {};
        for (const [name, sub] of Object.entries(asObject(value) ?? {})) {
          const s = asObject(sub);
          if (s !== null) props[name] = geminiSchemaToJsonSchema(s, depth + 1);
        }
        out.properties = props;
        break;
      }
      case 'items': {
        const s = asObject(value);
        if (s !== null) out.items = geminiSchemaToJsonSchema(s, depth + 1);
        break;
      }
      case 'anyOf':
        out.anyOf = (asArray(value) ?? []).flatMap((b) => {
          const s = asObject(b);
          return s === null ? [] : [geminiSchemaToJsonSchema(s, depth + 1)];
        });
        break;
      case 'minItems':
      case 'maxItems':
      case 'minLength':
      case 'maxLength':
      case 'minProperties':
      case 'maxProperties': {
        // Gemini's int64 fields may arrive as strings.
        const n = typeof value === 'string' ? Number(value) : value;
        out[key] = Number.isFinite(n) ? n : value;
        break;
      }
      default:
        out[key] = value;
    }
  }
  const type = asString(schema.type)?.toLowerCase() ?? null;
  if (type !== null && type !== 'type_unspecified') {
    out.type = schema.nullable === true ? [type, 'null'] : type;
    const values = asArray(out.enum);
    if (values !== null && (type === 'integer' || type === 'number'))
      out.enum = values.map((v) =>
        typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v,
      );
  } else if (schema.nullable === true && Array.isArray(out.anyOf)) {
    (out.anyOf as unknown[]).push({ type: 'null' });
  }
  return out;
}
