import { describe, expect, it } from 'vitest';
import {
  cleanSchemaForGemini,
  geminiSchemaToJsonSchema,
  isEmptyGeminiSchema,
} from '../../../../src/formats/turn/json-schema';

describe('cleanSchemaForGemini', () => {
  it('drops keywords outside Gemini’s subset and upper-cases types', () => {
    expect(
      cleanSchemaForGemini({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        properties: { path: { type: 'string', description: 'File path', minLength: 1 } },
        required: ['path', 'missing'],
      }),
    ).toEqual({
      type: 'OBJECT',
      properties: { path: { type: 'STRING', description: 'File path', minLength: 1 } },
      required: ['path'],
    });
  });

  it('type [x, "null"] becomes nullable, never type null; anyOf with null too', () => {
    expect(cleanSchemaForGemini({ type: ['string', 'null'] })).toEqual({ type: 'STRING', nullable: true });
    expect(
      cleanSchemaForGemini({ anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'n' }),
    ).toEqual({
      type: 'INTEGER',
      nullable: true,
      description: 'n',
    });
    expect(cleanSchemaForGemini({ type: 'null' })).toEqual({ type: 'STRING', nullable: true });
    expect(cleanSchemaForGemini({ type: ['string', 'number'] })).toEqual({
      anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }],
    });
  });

  it('exclusive bounds become inclusive: exact for integers, said in the description for numbers', () => {
    expect(cleanSchemaForGemini({ type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 })).toEqual({
      type: 'INTEGER',
      minimum: 1,
      maximum: 9,
    });
    expect(cleanSchemaForGemini({ type: 'number', exclusiveMinimum: 0 })).toEqual({
      type: 'NUMBER',
      minimum: 0,
      description: 'greater than 0',
    });
    // draft-4 booleans
    expect(cleanSchemaForGemini({ type: 'integer', minimum: 5, exclusiveMinimum: true })).toEqual({
      type: 'INTEGER',
      minimum: 6,
    });
  });

  it('const and numeric enums become string enums (numbers keep their type with format enum)', () => {
    expect(cleanSchemaForGemini({ const: 'fixed' })).toEqual({ type: 'STRING', enum: ['fixed'] });
    expect(cleanSchemaForGemini({ type: 'integer', enum: [1, 2, 3] })).toEqual({
      type: 'INTEGER',
      format: 'enum',
      enum: ['1', '2', '3'],
    });
    expect(cleanSchemaForGemini({ enum: ['a', null] })).toEqual({
      type: 'STRING',
      enum: ['a'],
      nullable: true,
    });
  });

  it('keeps the formats Gemini documents and says the others in the description', () => {
    expect(cleanSchemaForGemini({ type: 'string', format: 'date-time' })).toEqual({
      type: 'STRING',
      format: 'date-time',
    });
    expect(cleanSchemaForGemini({ type: 'string', format: 'uri', description: 'Link' })).toEqual({
      type: 'STRING',
      description: 'Link (format: uri)',
    });
    expect(cleanSchemaForGemini({ type: 'number', format: 'double' })).toEqual({
      type: 'NUMBER',
      format: 'double',
    });
  });

  it('inlines $ref from $defs/definitions and cuts a recursive one', () => {
    const schema = {
      type: 'object',
      $defs: {
        Node: {
          type: 'object',
          properties: { name: { type: 'string' }, child: { $ref: '#/$defs/Node' } },
        },
      },
      definitions: { Color: { type: 'string', enum: ['red', 'blue'] } },
      properties: {
        root: { $ref: '#/$defs/Node' },
        color: { $ref: '#/definitions/Color', description: 'Pick' },
      },
    };
    const out = cleanSchemaForGemini(schema);
    expect(out).toEqual({
      type: 'OBJECT',
      properties: {
        root: {
          type: 'OBJECT',
          properties: {
            name: { type: 'STRING' },
            child: { type: 'OBJECT', description: 'recursive or external schema #/$defs/Node' },
          },
        },
        color: { type: 'STRING', enum: ['red', 'blue'], description: 'Pick' },
      },
    });
    expect(JSON.stringify(out)).not.toMatch(/"\$\w+":/);
  });

  it('merges allOf, maps oneOf to anyOf, array items and tuple items', () => {
    expect(
      cleanSchemaForGemini({
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'boolean' } }, required: ['b'] },
        ],
      }),
    ).toEqual({
      type: 'OBJECT',
      properties: { a: { type: 'STRING' }, b: { type: 'BOOLEAN' } },
      required: ['a', 'b'],
    });
    expect(cleanSchemaForGemini({ oneOf: [{ type: 'string' }, { type: 'integer' }] })).toEqual({
      anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }],
      description: 'exactly one of the alternatives',
    });
    expect(cleanSchemaForGemini({ type: 'array', items: { type: 'string' }, uniqueItems: true })).toEqual({
      type: 'ARRAY',
      items: { type: 'STRING' },
      description: 'items must be unique',
    });
  });

  it('does not change its input and stays bounded on deep schemas', () => {
    const input = { type: 'object', additionalProperties: false, properties: { x: { const: 1 } } };
    const copy = structuredClone(input);
    cleanSchemaForGemini(input);
    expect(input).toEqual(copy);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 500; i++) deep = { type: 'object', properties: { x: deep } };
    expect(() => cleanSchemaForGemini(deep)).not.toThrow();
  });

  it('an object without properties is empty (its declaration omits parameters)', () => {
    expect(isEmptyGeminiSchema(cleanSchemaForGemini({ type: 'object', properties: {} }))).toBe(true);
    expect(
      isEmptyGeminiSchema(cleanSchemaForGemini({ type: 'object', properties: { a: { type: 'string' } } })),
    ).toBe(false);
  });
});

describe('geminiSchemaToJsonSchema', () => {
  it('reads Gemini’s OpenAPI Schema back as JSON Schema', () => {
    expect(
      geminiSchemaToJsonSchema({
        type: 'OBJECT',
        properties: {
          n: { type: 'INTEGER', format: 'enum', enum: ['1', '2'] },
          s: { type: 'STRING', nullable: true, maxLength: '10' },
          list: { type: 'ARRAY', items: { type: 'STRING' } },
        },
        required: ['n'],
        propertyOrdering: ['n', 's', 'list'],
      }),
    ).toEqual({
      type: 'object',
      properties: {
        n: { type: 'integer', enum: [1, 2] },
        s: { type: ['string', 'null'], maxLength: 10 },
        list: { type: 'array', items: { type: 'string' } },
      },
      required: ['n'],
    });
  });
});
