/**
 * A middleware that stands for a router built on first use: the first request that reaches it
 * starts `load` (typically a dynamic import of the router's module), every request waits for
 * that one load, then goes through the router. A failed load fails that request (the error
 * middleware answers it) and the next request tries again. The load runs with V8's young
 * generation held (startup-heap.ts `loadHeld`).
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express'
import { loadHeld } from '../startup-heap.ts'

/** Wraps `load` as a handler mountable with `app.use(path, ...)`; `load` runs at most once while it succeeds. */
export function lazyRouter(load: () => Promise<Router>): RequestHandler {
  let router: Router | null = null
  let loading: Promise<Router> | null = null
  return (req: Request, res: Response, next: NextFunction) => {
    if (router) {
      router(req, res, next)
      return
    }
    loading ??= loadHeld(load).then(
      (loaded) => (router = loaded),
      (error: unknown) => {
        loading = null
        throw error
      },
    )
    loading.then((loaded) => loaded(req, res, next), next)
  }
}
