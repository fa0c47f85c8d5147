import {
  hasErrors,
  sortDiagnostics,
  type Diagnostic
} from './config/diagnostics.js'
import { loadConfigFile } from './config/load.js'
import type { Config } from './config/model.js'
import { renderConfig, type RenderedPolicy } from './render.js'

/** What the file asks for: the config and the policies rendered from it. */
export interface DesiredState {
  readonly config: Config
  readonly policies: readonly RenderedPolicy[]
}

export interface DesiredResult {
  /** Present only when the file has no errors. */
  readonly desired?: DesiredState
  readonly diagnostics: Diagnostic[]
}

/** Loads, validates and renders a config file. Makes no AWS call. */
export function loadDesiredState(file: string): DesiredResult {
  const loaded = loadConfigFile(file)
  if (!loaded.config) return { diagnostics: loaded.diagnostics }
  const rendered = renderConfig(loaded.config)
  const diagnostics = sortDiagnostics([
    ...loaded.diagnostics,
    ...rendered.diagnostics
  ])
  if (hasErrors(diagnostics)) return { diagnostics }
  return {
    desired: { config: loaded.config, policies: rendered.policies },
    diagnostics
  }
}
