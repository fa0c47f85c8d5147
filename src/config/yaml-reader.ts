import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode
} from 'yaml'
import type { DiagnosticSink, Loc } from './diagnostics.js'
import type { ArrayShape, MapShape, ObjectShape, Shape } from './definition.js'
import { didYouMean } from './suggest.js'

/**
 * A refused file is one whose aliases expand past this many nodes: a
 * "billion laughs" file is a few lines long but expands exponentially.
 */
export const MAX_EXPANDED_NODES = 200_000

/** Where each value of the checked tree came from, keyed by its path. */
export class Locations {
  private readonly map = new Map<string, Loc>()

  constructor(private readonly fallback: Loc) {}

  set(path: string, loc: Loc): void {
    this.map.set(path, loc)
  }

  /** The location of a value, or of its nearest located ancestor. */
  of(path: string): Loc {
    const own = this.map.get(path) ?? this.map.get(`${path}#key`)
    if (own) return own
    let current = path
    for (;;) {
      const loc = this.map.get(current)
      if (loc) return loc
      const cut = Math.max(current.lastIndexOf('.'), current.lastIndexOf('['))
      if (cut <= 0) return this.map.get('') ?? this.fallback
      current = current.slice(0, cut)
    }
  }

  /** The location of a mapping key (the key itself, not its value). */
  keyOf(path: string): Loc {
    return this.map.get(`${path}#key`) ?? this.of(path)
  }
}

/** Path of a child: `a.b`, `a[0]`. Keys are plain names, so no quoting. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}

export interface ReadResult {
  /** The checked value: plain JS objects, arrays and scalars. */
  value: unknown
  locations: Locations
}

/**
 * Parses YAML text and checks it against a shape. Every problem found goes to
 * the sink; the returned value holds only the parts that matched the shape, so
 * later checks never see a value of the wrong type.
 */
export function readYaml(
  text: string,
  shape: Shape,
  sink: DiagnosticSink
): ReadResult {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true
  })
  const position = (offset: number): Loc => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, col }
  }
  const locations = new Locations({ line: 1, col: 1 })

  for (const error of doc.errors) {
    sink.error(
      position(error.pos[0]),
      yamlErrorMessage(error.code, error.message)
    )
  }
  if (doc.errors.length > 0) return { value: undefined, locations }

  if (expandedSize(doc) > MAX_EXPANDED_NODES) {
    sink.error(
      { line: 1, col: 1 },
      `the file's aliases expand to more than ${MAX_EXPANDED_NODES} nodes; it is refused as an alias bomb (write the lists out instead of nesting aliases)`
    )
    return { value: undefined, locations }
  }
  const reader = new ShapeReader(doc, sink, locations, position)
  return { value: reader.read(doc.contents, shape, ''), locations }
}

/**
 * How many nodes the document has once every alias is replaced by what it
 * points to. Memoised per node, so a bomb is measured without expanding it.
 */
function expandedSize(doc: Document): number {
  const memo = new Map<unknown, number>()
  const visit = (raw: unknown): number => {
    const node = isAlias(raw) ? raw.resolve(doc) : raw
    const known = memo.get(node)
    if (known !== undefined) return known
    // A node that contains an alias to itself never finishes expanding.
    memo.set(node, Infinity)
    let size = 1
    if (isMap(node)) {
      for (const pair of node.items) size += visit(pair.key) + visit(pair.value)
    } else if (isSeq(node)) {
      for (const item of node.items) size += visit(item)
    }
    size = Math.min(size, Number.MAX_SAFE_INTEGER)
    memo.set(node, size)
    return size
  }
  return visit(doc.contents)
}

function yamlErrorMessage(code: string, message: string): string {
  const first = message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
  if (code === 'DUPLICATE_KEY') {
    return 'duplicate key: a mapping may name each key once (remove or rename one of them)'
  }
  return `YAML syntax error: ${first}`
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping'
  if (isSeq(node)) return 'a list'
  if (isScalar(node)) {
    const v = node.value
    if (v === null) return 'nothing (null)'
    if (typeof v === 'string') return `the string "${v}"`
    return `${typeof v} ${String(v)}`
  }
  return 'an unsupported YAML node'
}

class ShapeReader {
  constructor(
    private readonly doc: Document,
    private readonly sink: DiagnosticSink,
    private readonly locations: Locations,
    private readonly position: (offset: number) => Loc
  ) {}

  read(raw: unknown, shape: Shape, path: string): unknown {
    const node = this.resolve(raw)
    if (node && typeof node === 'object' && 'range' in node && node.range) {
      this.locations.set(path, this.position((node as YamlNode).range![0]))
    }
    const loc = this.locations.of(path)
    const where = path === '' ? 'the file' : `"${path}"`
    const isNull = node == null || (isScalar(node) && node.value === null)

    switch (shape.kind) {
      case 'object':
      case 'map':
        if (isNull) return {}
        if (!isMap(node)) {
          this.sink.error(
            loc,
            `${where} must be a mapping, not ${describe(node)}`
          )
          return undefined
        }
        return shape.kind === 'object'
          ? this.readObject(node, shape, path)
          : this.readMap(node, shape, path)
      case 'array':
        if (isNull) return []
        if (!isSeq(node)) {
          this.sink.error(
            loc,
            `${where} must be a list, not ${describe(node)} (write [a, b] or one "- item" per line)`
          )
          return undefined
        }
        return this.readArray(node, shape, path)
      case 'oneOf': {
        const variant = shape.variants.find(v =>
          v.kind === 'object' || v.kind === 'map'
            ? isMap(node)
            : v.kind === 'array'
              ? isSeq(node)
              : isScalar(node)
        )
        if (!variant) {
          this.sink.error(loc, `${where} has the wrong type: ${describe(node)}`)
          return undefined
        }
        return this.read(node, variant, path)
      }
      default:
        return this.readScalar(node, shape, where, loc)
    }
  }

  private resolve(raw: unknown): unknown {
    let node = raw
    while (isAlias(node)) node = node.resolve(this.doc)
    return node
  }

  private readObject(
    node: import('yaml').YAMLMap,
    shape: ObjectShape,
    path: string
  ) {
    const out: Record<string, unknown> = {}
    const known = Object.keys(shape.properties)
    for (const pair of node.items) {
      const key = this.keyText(pair.key, path)
      if (key === undefined) continue
      const sub = childPath(path, key)
      const property = shape.properties[key]
      if (!property) {
        const where = path === '' ? 'at the top level' : `in "${path}"`
        this.sink.error(
          this.locations.keyOf(sub),
          `unknown key "${key}" ${where}${didYouMean(key, known)}; known keys: ${known.join(', ')}`
        )
        continue
      }
      const value = this.read(pair.value, property, sub)
      if (value !== undefined) out[key] = value
    }
    for (const required of shape.required ?? []) {
      if (!node.items.some(p => this.plainKey(p.key) === required)) {
        const where = path === '' ? 'the file' : `"${path}"`
        const example = shape.properties[required]?.example
        const fix = example ? ` (add ${example})` : ''
        this.sink.error(
          this.locations.keyOf(path),
          `${where} is missing the required key "${required}"${fix}`
        )
      }
    }
    return out
  }

  private readMap(node: import('yaml').YAMLMap, shape: MapShape, path: string) {
    const out: Record<string, unknown> = {}
    const pattern = new RegExp(shape.keyPattern)
    for (const pair of node.items) {
      const key = this.keyText(pair.key, path)
      if (key === undefined) continue
      const sub = childPath(path, key)
      if (!pattern.test(key)) {
        this.sink.error(
          this.locations.keyOf(sub),
          `the name "${key}" in "${path}" is not allowed: use letters, digits, "-" and "_", starting with a letter or digit`
        )
        continue
      }
      // A name whose value is broken still exists: keep it, marked, so that
      // references to it do not raise a second, misleading error.
      const value = this.read(pair.value, shape.values, sub)
      out[key] = value === undefined ? INVALID : value
    }
    return out
  }

  private readArray(
    node: import('yaml').YAMLSeq,
    shape: ArrayShape,
    path: string
  ) {
    const out: unknown[] = []
    node.items.forEach((item, index) => {
      const value = this.read(item, shape.items, childPath(path, index))
      if (value !== undefined) out.push(value)
      else out.push(INVALID)
    })
    // Keep indexes aligned with the file so locations stay right; drop the
    // holes only after the caller no longer needs the index.
    return out
  }

  private readScalar(
    node: unknown,
    shape: Shape,
    where: string,
    loc: Loc
  ): unknown {
    if (!isScalar(node)) {
      this.sink.error(
        loc,
        `${where} must be a ${shape.kind}, not ${describe(node)}`
      )
      return undefined
    }
    const value = node.value
    switch (shape.kind) {
      case 'string': {
        if (typeof value !== 'string') {
          this.sink.error(
            loc,
            `${where} must be a string, not ${describe(node)} (quote it: "${String(value)}")`
          )
          return undefined
        }
        if (shape.minLength !== undefined && value.length < shape.minLength) {
          this.sink.error(loc, `${where} must not be empty`)
          return undefined
        }
        if (shape.maxLength !== undefined && value.length > shape.maxLength) {
          this.sink.error(
            loc,
            `${where} is ${value.length} characters long; the limit is ${shape.maxLength}`
          )
          return undefined
        }
        return value
      }
      case 'boolean':
        if (typeof value !== 'boolean') {
          this.sink.error(
            loc,
            `${where} must be true or false, not ${describe(node)}`
          )
          return undefined
        }
        return value
      case 'integer': {
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          this.sink.error(
            loc,
            `${where} must be a whole number, not ${describe(node)}`
          )
          return undefined
        }
        if (shape.enum && !shape.enum.includes(value)) {
          this.sink.error(
            loc,
            `${where} is ${value}, which is not supported; supported: ${shape.enum.join(', ')}`
          )
          return undefined
        }
        if (
          (shape.minimum !== undefined && value < shape.minimum) ||
          (shape.maximum !== undefined && value > shape.maximum)
        ) {
          this.sink.error(
            loc,
            `${where} is ${value}; it must be between ${shape.minimum} and ${shape.maximum}`
          )
          return undefined
        }
        return value
      }
    }
    return undefined
  }

  private plainKey(key: unknown): string | undefined {
    const node = isAlias(key) ? key.resolve(this.doc) : key
    if (
      isScalar(node) &&
      (typeof node.value === 'string' || typeof node.value === 'number')
    ) {
      return String(node.value)
    }
    return undefined
  }

  private keyText(key: unknown, parent: string): string | undefined {
    const text = this.plainKey(key)
    const node = key as YamlNode | null
    const loc = node?.range
      ? this.position(node.range[0])
      : this.locations.of(parent)
    if (text === undefined) {
      this.sink.error(loc, `keys must be plain names, not ${describe(key)}`)
      return undefined
    }
    this.locations.set(`${childPath(parent, text)}#key`, loc)
    return text
  }
}

/** Marks a list item that failed its shape check, so indexes stay aligned. */
export const INVALID: unique symbol = Symbol('invalid')
