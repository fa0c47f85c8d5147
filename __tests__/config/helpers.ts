import { parseConfig } from '../../src/config/load.js'
import { formatDiagnostic } from '../../src/config/diagnostics.js'

/** Strips the common indentation of a template literal so line numbers are exact. */
export function yaml(
  strings: TemplateStringsArray,
  ...values: unknown[]
): string {
  const text = strings.reduce(
    (acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''),
    ''
  )
  const lines = text.replace(/^\n/, '').split('\n')
  const indent = Math.min(
    ...lines
      .filter(l => l.trim() !== '')
      .map(l => l.length - l.trimStart().length)
  )
  return lines.map(l => l.slice(indent)).join('\n')
}

/** Every diagnostic of a text as the CLI prints it. */
export function diagnosticsOf(text: string, file = 'cfg.yml'): string[] {
  return parseConfig(text, file).diagnostics.map(formatDiagnostic)
}

export function errorsOf(text: string): string[] {
  return diagnosticsOf(text).filter(d => d.includes(': error: '))
}

export function warningsOf(text: string): string[] {
  return diagnosticsOf(text).filter(d => d.includes(': warning: '))
}

/** A minimal valid file with one allowlist line to vary. */
export function withEntry(entry: string): string {
  return yaml`
    version: 1
    allowlists:
      office:
        - ${entry}
    policies:
      team:
        allow: [office]
        attach:
          users: [alice]
  `
}
