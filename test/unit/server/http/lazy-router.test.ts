import express, { Router } from 'express'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { lazyRouter } from '../../../../server/http/lazy-router.ts'

const servers: http.Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

async function serve(app: express.Express): Promise<string> {
  const server = http.createServer(app)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function helloRouter(): Router {
  const router = Router()
  router.get('/hello', (_req, res) => {
    res.json({ hello: 'world' })
  })
  return router
}

describe('lazyRouter', () => {
  it('loads nothing until a request reaches it, then loads once for concurrent requests', async () => {
    let loads = 0
    const app = express()
    app.use('/api', lazyRouter(async () => {
      loads++
      return helloRouter()
    }))
    app.get('/other', (_req, res) => {
      res.send('other')
    })
    const url = await serve(app)
    expect((await fetch(`${url}/other`)).status).toBe(200)
    expect(loads).toBe(0)
    const answers = await Promise.all([1, 2, 3].map(() => fetch(`${url}/api/hello`).then((res) => res.json())))
    expect(answers).toEqual([{ hello: 'world' }, { hello: 'world' }, { hello: 'world' }])
    expect((await fetch(`${url}/api/hello`)).status).toBe(200)
    expect(loads).toBe(1)
  })

  it('passes a request the router does not take on, and a failed load to the error handler, then tries again', async () => {
    let loads = 0
    const app = express()
    app.use('/api', lazyRouter(async () => {
      loads++
      if (loads === 1) throw new Error('load failed')
      return helloRouter()
    }))
    app.use((_req, res) => {
      res.status(404).send('none')
    })
    app.use(((_error, _req, res, _next) => {
      res.status(500).send('failed')
    }) as express.ErrorRequestHandler)
    const url = await serve(app)
    expect((await fetch(`${url}/api/hello`)).status).toBe(500)
    expect((await fetch(`${url}/api/hello`)).status).toBe(200)
    expect((await fetch(`${url}/api/nothing`)).status).toBe(404)
    expect(loads).toBe(2)
  })
})
