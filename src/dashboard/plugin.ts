import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { problem, sendProblem } from '../http/problem.js'

/** web/dist, built by Vite at install: two folders up from src/dashboard and from dist/dashboard alike. */
export const DASHBOARD_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url))

/**
 * The page holds an API key, so it allows nothing but its own files: no inline script, no
 * other origin, no framing, and it sends no referrer.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

/** The app's own routes, answered with its page so that links into it work (never /v1, /docs, /health). */
export const DASHBOARD_ROUTES = ['/', '/search', '/units/:id', '/units/:id/:section']

function secure (reply: FastifyReply) {
  reply.header('content-security-policy', DASHBOARD_CSP)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('referrer-policy', 'no-referrer')
  reply.header('x-frame-options', 'DENY')
}

/** The coverage dashboard: web/dist served as files, its page at each of its routes. */
export async function dashboardRoutes (app: FastifyInstance, opts: { root?: string } = {}) {
  const root = opts.root ?? DASHBOARD_ROOT
  const built = existsSync(join(root, 'index.html'))
  // Every answer from here, the page and its files, carries the policy (this plugin's hooks
  // stay inside it: /v1 and /docs are untouched).
  app.addHook('onSend', async (_request, reply, payload) => {
    secure(reply)
    return payload
  })
  if (built) {
    // Vite names every asset by its content hash, so a browser may keep them for a year.
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      index: false,
      wildcard: true,
      immutable: true,
      maxAge: '365d'
    })
  }
  app.get('/favicon.svg', { schema: { hide: true } }, async (request, reply) => {
    if (!built) return reply.code(404).send()
    return reply.sendFile('favicon.svg', root, { cacheControl: false })
  })
  for (const url of DASHBOARD_ROUTES) {
    app.get(url, { schema: { hide: true } }, async (request, reply) => {
      if (!built) {
        return sendProblem(request, reply, problem(503, 'dashboard_not_built', 'The dashboard has not been built: run `npm run build:web` (npm ci does it).'))
      }
      // The page itself is small and changes with each build: always revalidate it.
      return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false })
    })
  }
}
