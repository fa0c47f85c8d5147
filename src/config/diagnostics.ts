/** A position in the config file, 1-based as editors and annotations show it. */
export interface Loc {
  readonly line: number
  readonly col: number
}

export type Severity = 'error' | 'warning'

/** One problem found in a config file. */
export interface Diagnostic {
  readonly severity: Severity
  readonly file: string
  readonly line: number
  readonly col: number
  readonly message: string
}

/** `FILE:LINE:COL: error: message`, the form compilers and editors parse. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`
}

/** Errors first is not wanted: keep file order so related lines read together. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      a.line - b.line || a.col - b.col || a.message.localeCompare(b.message)
  )
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some(d => d.severity === 'error')
}

/** Collects diagnostics for one file so that every problem is reported at once. */
export class DiagnosticSink {
  private readonly items: Diagnostic[] = []

  constructor(readonly file: string) {}

  error(loc: Loc, message: string): void {
    this.items.push({ severity: 'error', file: this.file, ...loc, message })
  }

  warning(loc: Loc, message: string): void {
    this.items.push({ severity: 'warning', file: this.file, ...loc, message })
  }

  get diagnostics(): Diagnostic[] {
    return sortDiagnostics(this.items)
  }

  get hasErrors(): boolean {
    return hasErrors(this.items)
  }
}
