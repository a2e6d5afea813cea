/**
 * A real HTTP receiver of summitpad webhooks in the test process (issue 20): it checks every
 * request's signature with the shared secret, records what it accepted, and can be "down"
 * (answering 503) for a while. `accepted` holds each delivery id at most once unless the server
 * really sent an accepted id again, which `acceptedTwice` counts.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifyWebhook } from '../../server/outbox/signature.ts'

export interface ReceivedWebhook {
  id: string
  event: string
  time: string
  data: Record<string, unknown>
  headers: http.IncomingHttpHeaders
}

export interface WebhookReceiver {
  url: string
  /** Accepted deliveries in arrival order (each id once). */
  accepted: ReceivedWebhook[]
  /** Requests answered 503 while down. */
  refused: number
  /** Requests whose signature did not verify (answered 401). */
  badSignatures: number
  /** Ids that arrived again after they had been accepted. */
  acceptedTwice: string[]
  /** While true, every request is answered 503. */
  down: boolean
  close(): Promise<void>
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const receiver: Omit<WebhookReceiver, 'url' | 'close'> = { accepted: [], refused: 0, badSignatures: 0, acceptedTwice: [], down: false }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      if (!verifyWebhook(secret, body, req.headers['summitpad-signature'] as string | undefined, Math.floor(Date.now() / 1000))) {
        receiver.badSignatures++
        res.writeHead(401).end('bad signature')
        return
      }
      if (receiver.down) {
        receiver.refused++
        res.writeHead(503).end('down for maintenance')
        return
      }
      const parsed = JSON.parse(body) as ReceivedWebhook
      if (receiver.accepted.some((seen) => seen.id === parsed.id)) receiver.acceptedTwice.push(parsed.id)
      else receiver.accepted.push({ ...parsed, headers: req.headers })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}
