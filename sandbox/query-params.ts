import { invalidParameter, missingParameter } from './iam-error.js'
import type { Tag } from './limits.js'

/** Typed reads of the form parameters of one IAM Query API call. */
export class QueryParams {
  /**
   * The largest page a list call answers with, whatever MaxItems asks for:
   * IAM may return fewer items than MaxItems and still set IsTruncated.
   */
  pageCap?: number

  constructor(private readonly values: Map<string, string>) {}

  /** Parses a form body (and any query string) into parameters. */
  static parse(body: string, query = ''): QueryParams {
    const values = new Map<string, string>()
    if (query !== '') {
      for (const [k, v] of new URLSearchParams(query)) values.set(k, v)
    }
    for (const [k, v] of new URLSearchParams(body)) values.set(k, v)
    return new QueryParams(values)
  }

  /** Every parameter except Action and Version, for the call log. */
  toRecord(): Record<string, string> {
    const record: Record<string, string> = {}
    for (const [k, v] of this.values) {
      if (k !== 'Action' && k !== 'Version') record[k] = v
    }
    return record
  }

  optional(name: string): string | undefined {
    return this.values.get(name)
  }

  required(name: string): string {
    const value = this.values.get(name)
    if (value === undefined) throw missingParameter(name)
    return value
  }

  boolean(name: string): boolean | undefined {
    const value = this.values.get(name)
    if (value === undefined) return undefined
    if (value === 'true') return true
    if (value === 'false') return false
    throw invalidParameter(name, value, 'Member must be true or false')
  }

  /** `Name.member.1`, `Name.member.2`, … until the first gap. */
  list(name: string): string[] {
    const items: string[] = []
    for (let i = 1; ; i++) {
      const value = this.values.get(`${name}.member.${i}`)
      if (value === undefined) return items
      items.push(value)
    }
  }

  /** `Tags.member.N.Key` / `Tags.member.N.Value` pairs. */
  tags(name = 'Tags'): Tag[] {
    const tags: Tag[] = []
    for (let i = 1; ; i++) {
      const key = this.values.get(`${name}.member.${i}.Key`)
      if (key === undefined) return tags
      const value = this.values.get(`${name}.member.${i}.Value`)
      if (value === undefined)
        throw missingParameter(`${name}.member.${i}.Value`)
      tags.push({ Key: key, Value: value })
    }
  }
}
