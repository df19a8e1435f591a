import type { FastifySerializerCompiler } from 'fastify/types/schema.js'
import fastJson, { type Schema } from 'fast-json-stringify'
import { serializerCompiler as validatingSerializerCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'

/**
 * Response bodies are written by a serialiser compiled once per route and status from the
 * route's zod schema (as JSON Schema, the document's own), by fast-json-stringify, the
 * serialiser Fastify itself uses: only the declared properties are written (a column
 * added to a query never leaks) and a missing required one is an error, as before. The
 * type provider's default validated every response with zod on every request, then ran
 * JSON.stringify: a tenth of a unit read's throughput (npm run bench -- reads). A schema
 * JSON Schema cannot express falls back to that validating serialiser.
 */
export const serializerCompiler: FastifySerializerCompiler<unknown> = (route) => {
  // Compiled on first use: building all ~340 at start-up took half a second.
  let serialise: ((data: unknown) => string) | undefined
  return (data) => {
    serialise ??= compile(route)
    return serialise(data)
  }
}

function compile (route: Parameters<FastifySerializerCompiler<unknown>>[0]): (data: unknown) => string {
  const schema = zodSchemaOf(route.schema)
  if (schema) {
    try {
      const json = nullablesAsTypes(z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' })) as Record<string, unknown>
      return fastJson(discriminated(json, json) as Schema)
    } catch {
      // Not representable (a transform, a custom type): validated and stringified instead.
    }
  }
  return validatingSerializerCompiler(route as Parameters<typeof validatingSerializerCompiler>[0])
}

function zodSchemaOf (schema: unknown): z.ZodType | undefined {
  if (schema instanceof z.ZodType) return schema
  const inner = (schema as { properties?: unknown } | null)?.properties
  return inner instanceof z.ZodType ? inner : undefined
}

/**
 * `anyOf: [X, {type: 'null'}]` (zod's nullable) as `type: [X's type, 'null']`: the same
 * output, but fast-json-stringify picks an anyOf branch by validating the value against
 * each (a UUID pattern on every id), and a type list by a typeof.
 */
function nullablesAsTypes (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullablesAsTypes)
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = nullablesAsTypes(v)
  const anyOf = out.anyOf as Array<Record<string, unknown>> | undefined
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const other = anyOf.find(a => a.type !== 'null')
    if (other && anyOf.some(a => a.type === 'null' && Object.keys(a).length === 1) &&
        typeof other.type === 'string' && other.type !== 'object' && other.type !== 'array' && !other.anyOf && !other.oneOf && !other.$ref) {
      delete out.anyOf
      // An enum must name null too: a union's branch is chosen by validating against it.
      return { ...out, ...other, type: [other.type, 'null'], ...(Array.isArray(other.enum) ? { enum: [...other.enum, null] } : {}) }
    }
  }
  return out
}

/**
 * A union of objects told apart by one property's constant (`by: 'unit' | 'assembly'` on
 * the coverage reports) as if/then/else on that property: fast-json-stringify picks an
 * anyOf branch by validating the whole value against each branch (every row of a 400-row
 * report), an if by checking the one property.
 */
function discriminated (node: unknown, root: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map(n => discriminated(n, root))
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = discriminated(v, root)
  const anyOf = out.anyOf as Array<Record<string, unknown>> | undefined
  if (!Array.isArray(anyOf) || anyOf.length < 2) return out
  const definitions = (root.definitions ?? {}) as Record<string, Record<string, unknown>>
  const resolved = anyOf.map(a => typeof a.$ref === 'string' ? definitions[a.$ref.replace('#/definitions/', '')] : a)
  const constants = (branch: Record<string, unknown> | undefined) =>
    Object.entries((branch?.properties ?? {}) as Record<string, Record<string, unknown>>).filter(([, p]) => p.const !== undefined)
  const key = constants(resolved[0]).map(([k]) => k).find(k => resolved.every(b => constants(b).some(([c]) => c === k)))
  if (key === undefined) return out
  const valueOf = (b: Record<string, unknown> | undefined) => ((b!.properties as Record<string, Record<string, unknown>>)[key]).const
  const chain = anyOf.slice(0, -1).reduceRight<unknown>(
    (otherwise, branch, i) => ({ if: { type: 'object', properties: { [key]: { const: valueOf(resolved[i]) } }, required: [key] }, then: branch, else: otherwise }),
    anyOf[anyOf.length - 1])
  delete out.anyOf
  return { ...out, ...(chain as Record<string, unknown>) }
}
