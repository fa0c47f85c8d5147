/**
 * A local stand-in for the parts of GitHub's REST API the action calls, so
 * tests run a real octokit against real HTTP. It keeps comments in memory,
 * pages lists the way GitHub does (`per_page`, `page`, `Link`), answers in
 * GitHub's response shapes, records every request, and fails a route on
 * demand. Binds to 127.0.0.1 on a port the OS picks.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The routes served, named as GitHub's REST reference names them. */
export type Route =
  | 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
  | 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
  | 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}'
  | 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls'

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string
  /** The path without the query string. */
  path: string
  query: Record<string, string>
  /** The route it matched, if any. */
  route: Route | undefined
  /** The parsed JSON body, or `undefined` when there was none. */
  body: unknown
  /** Whether an Authorization header was sent; its value is not kept. */
  authorized: boolean
}

/** A comment held by the server. */
export interface StoredComment {
  id: number
  owner: string
  repo: string
  issueNumber: number
  body: string
  login: string
  createdAt: string
  updatedAt: string
}

/** A pull request associated with a commit; the rest is filled in. */
export interface PullSpec {
  number: number
  state?: 'open' | 'closed'
  merged?: boolean
  mergeCommitSha?: string | null
  title?: string
  /** `owner/name` of the head repository; the base repository by default. */
  headRepo?: string
  baseRef?: string
}

/** Where a comment lives. */
export interface IssueAddress {
  owner: string
  repo: string
  issueNumber: number
}

/** The running fake and its controls. */
export interface FakeGitHub {
  /** Base URL to give octokit (`baseUrl`) or `GITHUB_API_URL`. */
  url: string
  requests(): RecordedRequest[]
  state: {
    comments: StoredComment[]
    pulls: Map<string, PullSpec[]>
  }
  /** Adds a comment as if posted earlier, by `login` (the bot by default). */
  addComment(issue: IssueAddress, body: string, login?: string): StoredComment
  setCommitPulls(sha: string, pulls: PullSpec[]): void
  /** Makes the next request to `route` fail with this status and message. */
  failNext(route: Route, status: number, message: string): void
  close(): Promise<void>
}

/** GitHub's own limits, enforced so tests see what GitHub would do. */
const COMMENT_BODY_LIMIT = 65_536
const DEFAULT_PER_PAGE = 30
const MAX_PER_PAGE = 100

const BOT_LOGIN = 'github-actions[bot]'
const FIRST_COMMENT_ID = 2_000_000_001
/** Timestamps advance one second per write from here, so runs repeat. */
const CLOCK_START = Date.parse('2024-05-01T12:00:00Z')
const DOCS = 'https://docs.github.com/rest'
const WEB = 'https://github.com'

interface Match {
  route: Route
  params: Record<string, string>
}

const ROUTES: { method: string; pattern: RegExp; route: Route }[] = [
  {
    method: 'GET',
    pattern:
      /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/issues\/(?<issue_number>\d+)\/comments$/,
    route: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments'
  },
  {
    method: 'POST',
    pattern:
      /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/issues\/(?<issue_number>\d+)\/comments$/,
    route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'
  },
  {
    method: 'PATCH',
    pattern:
      /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/issues\/comments\/(?<comment_id>\d+)$/,
    route: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}'
  },
  {
    method: 'GET',
    pattern:
      /^\/repos\/(?<owner>[^/]+)\/(?<repo>[^/]+)\/commits\/(?<commit_sha>[^/]+)\/pulls$/,
    route: 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls'
  }
]

function matchRoute(method: string, path: string): Match | undefined {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue
    const found = candidate.pattern.exec(path)
    if (found === null) continue
    const params = Object.fromEntries(
      Object.entries(found.groups ?? {}).map(([key, value]) => [
        key,
        decodeURIComponent(value)
      ])
    )
    return { route: candidate.route, params }
  }
  return undefined
}

/** Starts the fake on 127.0.0.1 with an OS-chosen port. */
export async function startGitHubServer(): Promise<FakeGitHub> {
  const recorded: RecordedRequest[] = []
  const comments: StoredComment[] = []
  const pulls = new Map<string, PullSpec[]>()
  const failures = new Map<Route, { status: number; message: string }[]>()
  let nextId = FIRST_COMMENT_ID
  let ticks = 0
  let url = ''

  const now = (): string =>
    new Date(CLOCK_START + 1000 * ticks++).toISOString().replace('.000Z', 'Z')

  const addComment = (
    issue: IssueAddress,
    body: string,
    login: string = BOT_LOGIN
  ): StoredComment => {
    const createdAt = now()
    const comment: StoredComment = {
      id: nextId++,
      ...issue,
      body,
      login,
      createdAt,
      updatedAt: createdAt
    }
    comments.push(comment)
    return comment
  }

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse
  ): Promise<void> => {
    const method = request.method ?? 'GET'
    const parsed = new URL(request.url ?? '/', url)
    const raw = await readBody(request)
    const match = matchRoute(method, parsed.pathname)
    const body = parseJson(raw)
    const authorized = request.headers.authorization !== undefined
    recorded.push({
      method,
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      route: match?.route,
      body,
      authorized
    })

    if (match === undefined) {
      return send(response, 404, errorBody(404, 'Not Found', DOCS))
    }
    const failure = failures.get(match.route)?.shift()
    if (failure !== undefined) {
      return send(
        response,
        failure.status,
        errorBody(failure.status, failure.message, docsFor(match.route))
      )
    }
    if (method !== 'GET' && !authorized) {
      return send(
        response,
        401,
        errorBody(401, 'Requires authentication', docsFor(match.route))
      )
    }

    const { owner, repo } = match.params
    switch (match.route) {
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const issueNumber = Number(match.params.issue_number)
        const all = comments.filter(
          comment =>
            comment.owner === owner &&
            comment.repo === repo &&
            comment.issueNumber === issueNumber
        )
        const page = paginate(all, parsed)
        response.setHeader('link', page.link)
        return send(
          response,
          200,
          page.items.map(comment => commentJson(comment, url))
        )
      }

      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        const invalid = invalidBody(body, match.route)
        if (invalid !== undefined) return send(response, 422, invalid)
        const created = addComment(
          { owner, repo, issueNumber: Number(match.params.issue_number) },
          (body as { body: string }).body
        )
        response.setHeader('location', commentJson(created, url).url)
        return send(response, 201, commentJson(created, url))
      }

      case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const id = Number(match.params.comment_id)
        const comment = comments.find(
          stored =>
            stored.id === id && stored.owner === owner && stored.repo === repo
        )
        if (comment === undefined) {
          return send(
            response,
            404,
            errorBody(404, 'Not Found', docsFor(match.route))
          )
        }
        const invalid = invalidBody(body, match.route)
        if (invalid !== undefined) return send(response, 422, invalid)
        comment.body = (body as { body: string }).body
        comment.updatedAt = now()
        return send(response, 200, commentJson(comment, url))
      }

      case 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls': {
        const specs = pulls.get(match.params.commit_sha) ?? []
        return send(
          response,
          200,
          specs.map(spec => pullJson(spec, owner, repo, url))
        )
      }
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, errorBody(500, String(error), DOCS))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  url = `http://127.0.0.1:${port}`

  return {
    url,
    requests: () => recorded.slice(),
    state: { comments, pulls },
    addComment,
    setCommitPulls: (sha, specs) => {
      pulls.set(sha, specs)
    },
    failNext: (route, status, message) => {
      const queue = failures.get(route) ?? []
      queue.push({ status, message })
      failures.set(route, queue)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close(error => (error ? reject(error) : resolve()))
      })
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson(raw: string): unknown {
  if (raw === '') return undefined
  try {
    return JSON.parse(raw) as unknown
  } catch {
    return raw
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status
  response.setHeader('content-type', 'application/json; charset=utf-8')
  response.setHeader('x-github-media-type', 'github.v3; format=json')
  response.end(JSON.stringify(body))
}

function docsFor(route: Route): string {
  const anchors: Record<Route, string> = {
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments':
      'issues/comments#list-issue-comments',
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments':
      'issues/comments#create-an-issue-comment',
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}':
      'issues/comments#update-an-issue-comment',
    'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls':
      'commits/commits#list-pull-requests-associated-with-a-commit'
  }
  return `${DOCS}/${anchors[route]}`
}

/** GitHub's `basic-error` shape. */
function errorBody(status: number, message: string, documentationUrl: string) {
  return {
    message,
    documentation_url: documentationUrl,
    status: String(status)
  }
}

/** GitHub's `validation-error` shape for a missing or too long body. */
function invalidBody(body: unknown, route: Route) {
  const text = (body as { body?: unknown } | undefined)?.body
  const error =
    typeof text !== 'string'
      ? { resource: 'IssueComment', code: 'missing_field', field: 'body' }
      : text.length > COMMENT_BODY_LIMIT
        ? {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: `body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`
          }
        : undefined
  if (error === undefined) return undefined
  return {
    message: 'Validation Failed',
    errors: [error],
    documentation_url: docsFor(route),
    status: '422'
  }
}

/** One page of `items` and the `Link` header GitHub would send with it. */
function paginate<T>(items: T[], url: URL): { items: T[]; link: string } {
  const asked = Number(url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE)
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, asked || DEFAULT_PER_PAGE))
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))

  const linkTo = (target: number, rel: string): string => {
    const next = new URL(url)
    next.searchParams.set('per_page', String(perPage))
    next.searchParams.set('page', String(target))
    return `<${next.toString()}>; rel="${rel}"`
  }
  const links: string[] = []
  if (page > 1) links.push(linkTo(page - 1, 'prev'))
  if (page < last) links.push(linkTo(page + 1, 'next'), linkTo(last, 'last'))
  if (page > 1) links.push(linkTo(1, 'first'))

  const start = (page - 1) * perPage
  return { items: items.slice(start, start + perPage), link: links.join(', ') }
}

function userJson(login: string, api: string) {
  const bot = login.endsWith('[bot]')
  const id = bot ? 41898282 : 1000 + (hash(login) % 1_000_000)
  return {
    login,
    id,
    node_id: Buffer.from(`04:${bot ? 'Bot' : 'User'}${id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: `${api}/users/${encodeURIComponent(login)}`,
    html_url: bot
      ? `${WEB}/apps/${login.replace('[bot]', '')}`
      : `${WEB}/${login}`,
    followers_url: `${api}/users/${encodeURIComponent(login)}/followers`,
    following_url: `${api}/users/${encodeURIComponent(login)}/following{/other_user}`,
    gists_url: `${api}/users/${encodeURIComponent(login)}/gists{/gist_id}`,
    starred_url: `${api}/users/${encodeURIComponent(login)}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/users/${encodeURIComponent(login)}/subscriptions`,
    organizations_url: `${api}/users/${encodeURIComponent(login)}/orgs`,
    repos_url: `${api}/users/${encodeURIComponent(login)}/repos`,
    events_url: `${api}/users/${encodeURIComponent(login)}/events{/privacy}`,
    received_events_url: `${api}/users/${encodeURIComponent(login)}/received_events`,
    type: bot ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false
  }
}

function hash(text: string): number {
  let value = 0
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) >>> 0
  return value
}

/** GitHub's `issue-comment` shape. */
function commentJson(comment: StoredComment, api: string) {
  const repoUrl = `${api}/repos/${comment.owner}/${comment.repo}`
  return {
    id: comment.id,
    node_id: `IC_kwDO${Buffer.from(String(comment.id)).toString('base64')}`,
    url: `${repoUrl}/issues/comments/${comment.id}`,
    html_url: `${WEB}/${comment.owner}/${comment.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(comment.login, api),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
    author_association: comment.login === BOT_LOGIN ? 'NONE' : 'MEMBER',
    performed_via_github_app: null,
    reactions: {
      url: `${repoUrl}/issues/comments/${comment.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0
    }
  }
}

/** GitHub's `repository` shape, as embedded in a pull request. */
function repositoryJson(fullName: string, api: string) {
  const [owner, name] = fullName.split('/')
  const id = 100_000 + (hash(fullName) % 100_000_000)
  const url = `${api}/repos/${fullName}`
  return {
    id,
    node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
    name,
    full_name: fullName,
    owner: userJson(owner, api),
    private: false,
    html_url: `${WEB}/${fullName}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://github.com/${fullName}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@github.com:${fullName}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${WEB}/${fullName}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: `${WEB}/${fullName}`,
    homepage: null,
    language: 'TypeScript',
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 120,
    default_branch: 'main',
    open_issues_count: 1,
    open_issues: 1,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'public',
    pushed_at: '2024-05-01T11:00:00Z',
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-05-01T11:00:00Z',
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null
  }
}

/** GitHub's `pull-request-simple` shape, filled in around `spec`. */
function pullJson(spec: PullSpec, owner: string, repo: string, api: string) {
  const base = `${owner}/${repo}`
  const head = spec.headRepo ?? base
  const merged = spec.merged ?? false
  const state = spec.state ?? (merged ? 'closed' : 'open')
  const url = `${api}/repos/${base}/pulls/${spec.number}`
  const issueUrl = `${api}/repos/${base}/issues/${spec.number}`
  const htmlUrl = `${WEB}/${base}/pull/${spec.number}`
  // Any 40 hex digits do; these stay the same from run to run.
  const headSha = hash(`${head}#${spec.number}`)
    .toString(16)
    .padStart(8, '0')
    .repeat(5)
  const author = userJson(head.split('/')[0], api)
  const closedAt = state === 'closed' ? '2024-05-01T11:30:00Z' : null
  return {
    url,
    id: 1_800_000_000 + spec.number,
    node_id: `PR_kwDO${Buffer.from(String(spec.number)).toString('base64')}`,
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/repos/${base}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/repos/${base}/statuses/${headSha}`,
    number: spec.number,
    state,
    locked: false,
    title: spec.title ?? `Change allowlist ${spec.number}`,
    user: author,
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: '2024-05-01T10:00:00Z',
    updated_at: '2024-05-01T11:30:00Z',
    closed_at: closedAt,
    merged_at: merged ? closedAt : null,
    merge_commit_sha: spec.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${head.split('/')[0]}:change-${spec.number}`,
      ref: `change-${spec.number}`,
      repo: { ...repositoryJson(head, api), fork: head !== base },
      sha: headSha,
      user: author
    },
    base: {
      label: `${owner}:${spec.baseRef ?? 'main'}`,
      ref: spec.baseRef ?? 'main',
      repo: repositoryJson(base, api),
      sha: 'f'.repeat(40),
      user: userJson(owner, api)
    },
    _links: {
      self: { href: url },
      html: { href: htmlUrl },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: {
        href: `${api}/repos/${base}/pulls/comments{/number}`
      },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/repos/${base}/statuses/${headSha}` }
    },
    author_association: head === base ? 'MEMBER' : 'CONTRIBUTOR',
    auto_merge: null,
    draft: false
  }
}
