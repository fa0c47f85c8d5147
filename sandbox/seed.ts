import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { IamError } from './iam-error.js'
import { MAX_POLICY_VERSIONS } from './limits.js'
import { IamStore, type PrincipalKind } from './store.js'
import type { SeedFixture, SeedPolicy } from './types.js'

/** Trust policy given to seeded roles: SageMaker may assume them. */
export const SEED_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Action: 'sts:AssumeRole'
    }
  ]
})

const FIXTURE_KEYS = new Set(['users', 'groups', 'roles', 'policies'])

/** Reads a seed fixture from a .yml, .yaml or .json file. */
export function loadSeedFile(file: string): SeedFixture {
  const extension = extname(file).toLowerCase()
  if (!['.yml', '.yaml', '.json'].includes(extension)) {
    throw new Error(
      `seed file ${file}: unknown extension '${extension}'; use .yml, .yaml or .json`
    )
  }

  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`seed file ${file}: cannot be read (${errorText(error)})`, {
      cause: error
    })
  }

  let data: unknown
  try {
    data = extension === '.json' ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    throw new Error(`seed file ${file}: ${errorText(error)}`, { cause: error })
  }
  return checkFixture(data ?? {}, `seed file ${file}`)
}

/** Resolves a fixture given as an object or as a file path. */
export function resolveSeed(
  seed: SeedFixture | string | undefined
): SeedFixture {
  if (seed === undefined) return {}
  if (typeof seed === 'string') return loadSeedFile(seed)
  return checkFixture(seed, 'seed fixture')
}

/**
 * Builds a fresh store from a fixture, through the same rules as the API,
 * so a fixture cannot hold a state IAM would refuse.
 */
export function buildStore(fixture: SeedFixture, accountId: string): IamStore {
  const store = new IamStore(accountId)
  applySeed(store, fixture, 'seed fixture')
  return store
}

/** Adds everything in a fixture to an existing store. */
export function applySeed(
  store: IamStore,
  fixture: SeedFixture,
  source: string
): void {
  const memberships: [group: string, user: string, where: string][] = []

  fixture.users?.forEach((entry, i) => {
    const where = `${source}: users[${i}]`
    const user = typeof entry === 'string' ? { name: entry } : entry
    seedStep(where, () => store.createUser(user.name, user.path))
    for (const group of user.groups ?? []) {
      memberships.push([group, user.name, where])
    }
  })

  fixture.groups?.forEach((entry, i) => {
    const where = `${source}: groups[${i}]`
    const group = typeof entry === 'string' ? { name: entry } : entry
    seedStep(where, () => store.createGroup(group.name, group.path))
    for (const member of group.members ?? []) {
      memberships.push([group.name, member, where])
    }
  })

  for (const [group, user, where] of memberships) {
    seedStep(where, () => store.addUserToGroup(group, user))
  }

  fixture.roles?.forEach((entry, i) => {
    const role = typeof entry === 'string' ? { name: entry } : entry
    seedStep(`${source}: roles[${i}]`, () =>
      store.createRole(role.name, SEED_TRUST_POLICY, { path: role.path })
    )
  })

  fixture.policies?.forEach((policy, i) => {
    seedPolicy(store, policy, `${source}: policies[${i}] (${policy.name})`)
  })
}

function seedPolicy(store: IamStore, policy: SeedPolicy, where: string): void {
  const extra = policy.extraVersions ?? []
  if (extra.length + 1 > MAX_POLICY_VERSIONS) {
    throw new Error(
      `${where}: ${extra.length + 1} versions; a policy holds at most ${MAX_POLICY_VERSIONS}`
    )
  }

  // Older versions come first so that the live document is the newest one.
  const documents = [...extra, policy.document].map(documentText)
  const created = seedStep(where, () =>
    store.createPolicy({
      name: policy.name,
      path: policy.path,
      description: policy.description,
      document: documents[0],
      tags: Object.entries(policy.tags ?? {}).map(([Key, Value]) => ({
        Key,
        Value: String(Value)
      }))
    })
  )
  for (const document of documents.slice(1)) {
    seedStep(where, () =>
      store.createPolicyVersion(created.arn, document, true)
    )
  }

  const targets: [PrincipalKind, string[] | undefined][] = [
    ['user', policy.attach?.users],
    ['group', policy.attach?.groups],
    ['role', policy.attach?.roles]
  ]
  for (const [kind, names] of targets) {
    for (const name of names ?? []) {
      seedStep(where, () => store.attach(kind, name, created.arn))
    }
  }
}

function documentText(document: object | string): string {
  return typeof document === 'string' ? document : JSON.stringify(document)
}

function seedStep<T>(where: string, step: () => T): T {
  try {
    return step()
  } catch (error) {
    if (error instanceof IamError) {
      throw new Error(`${where}: ${error.code}: ${error.message}`, {
        cause: error
      })
    }
    throw error
  }
}

// Checks the shape only; names, paths and documents are checked by the store.
function checkFixture(data: unknown, source: string): SeedFixture {
  if (!isRecord(data)) {
    throw new Error(
      `${source}: expected a mapping of users, groups, roles, policies`
    )
  }
  for (const key of Object.keys(data)) {
    if (!FIXTURE_KEYS.has(key)) {
      throw new Error(
        `${source}: unknown key '${key}'; expected users, groups, roles or policies`
      )
    }
  }

  checkEntries(data.users, `${source}: users`, ['name', 'path', 'groups'])
  checkEntries(data.groups, `${source}: groups`, ['name', 'path', 'members'])
  checkEntries(data.roles, `${source}: roles`, ['name', 'path'])

  if (data.policies !== undefined) {
    if (!Array.isArray(data.policies)) {
      throw new Error(`${source}: policies must be a list`)
    }
    data.policies.forEach((policy: unknown, i) => {
      const where = `${source}: policies[${i}]`
      if (!isRecord(policy) || typeof policy.name !== 'string') {
        throw new Error(`${where}: expected a mapping with a string 'name'`)
      }
      if (typeof policy.document !== 'string' && !isRecord(policy.document)) {
        throw new Error(
          `${where} (${policy.name}): 'document' must be an object or a JSON string`
        )
      }
      if (
        policy.extraVersions !== undefined &&
        !Array.isArray(policy.extraVersions)
      ) {
        throw new Error(
          `${where} (${policy.name}): 'extraVersions' must be a list`
        )
      }
      if (policy.tags !== undefined && !isRecord(policy.tags)) {
        throw new Error(`${where} (${policy.name}): 'tags' must be a mapping`)
      }
      if (policy.attach !== undefined && !isRecord(policy.attach)) {
        throw new Error(
          `${where} (${policy.name}): 'attach' must be a mapping of users, groups, roles`
        )
      }
    })
  }
  return data as SeedFixture
}

function checkEntries(value: unknown, where: string, keys: string[]): void {
  if (value === undefined) return
  if (!Array.isArray(value)) throw new Error(`${where} must be a list`)
  value.forEach((entry: unknown, i) => {
    if (typeof entry === 'string') return
    if (!isRecord(entry) || typeof entry.name !== 'string') {
      throw new Error(
        `${where}[${i}]: expected a name or a mapping with 'name'`
      )
    }
    for (const key of Object.keys(entry)) {
      if (!keys.includes(key)) {
        throw new Error(
          `${where}[${i}] (${entry.name}): unknown key '${key}'; expected ${keys.join(', ')}`
        )
      }
    }
  })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
