/**
 * The GitHub client the adapters take: the octokit `@actions/github` builds
 * with `getOctokit(token)`, whose base URL comes from `GITHUB_API_URL`. Tests
 * pass the same client pointed at a local server.
 */
import type { getOctokit } from '@actions/github'

/** An octokit with the REST endpoint methods and pagination. */
export type GitHubClient = ReturnType<typeof getOctokit>
