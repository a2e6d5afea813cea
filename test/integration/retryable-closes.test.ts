/**
 * Every close after which reconnecting helps is one stock y-websocket 3.x clients retry (1013 with
 * "retry in N s"), and a client sending faster than its budget is slowed, not closed: a stock
 * client typing 1,000 updates as fast as it can delivers all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode, isFatalCloseCode } from '../../shared/close-codes.ts'
import { padFragmentName } from '../../shared/schema.ts'
import { createSession } from '../helpers/api.ts'
import { connectPad, rawClient, waitForSynced } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess()
})
afterAll(async () => {
  await server?.dispose()
})

/** The text of the pad's first paragraph. */
function firstParagraphText(ydoc: Y.Doc): string {
  const paragraph = ydoc.getXmlFragment(padFragmentName).get(0)
  return paragraph instanceof Y.XmlElement ? paragraph.toArray().map((node) => (node instanceof Y.XmlText ? node.toString() : '')).join('') : ''
}

describe('a client over its message budget', () => {
  it('is slowed, not closed: a stock client typing 1,000 updates as fast as it can delivers all of them', async () => {
    const session = await createSession(server.url)
    const typist = connectPad(server.wsUrl, session.id)
    const reader = connectPad(server.wsUrl, session.id)
    await Promise.all([waitForSynced(typist), waitForSynced(reader)])
    const closes: number[] = []
    typist.provider.on('connection-close', (event) => {
      if (event) closes.push(event.code)
    })
    const text = new Y.XmlText()
    typist.ydoc.transact(() => {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [text])
      typist.ydoc.getXmlFragment(padFragmentName).insert(0, [paragraph])
    })
    // One update (one frame) per keystroke, with nothing in between: faster than any person.
    const typed = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('')
    for (let i = 0; i < typed.length; i++) text.insert(i, typed[i]!)
    const started = Date.now()
    await waitFor(() => firstParagraphText(reader.ydoc).endsWith(typed), 30_000, 'every keystroke at the reader')
    console.log(`1,000 updates delivered in ${Date.now() - started} ms after typing, closes: ${closes.length}`)
    expect(closes).toEqual([])
    expect(typist.provider.wsconnected).toBe(true)
    typist.destroy()
    reader.destroy()
  }, 60_000)
})

describe('close codes', () => {
  it('retries every close after which reconnecting helps, and only those', () => {
    for (const code of [CloseCode.goingAway, CloseCode.internalError, CloseCode.tryAgainLater, CloseCode.rateLimited, CloseCode.slowConsumer, 1006]) {
      expect(isFatalCloseCode(code), String(code)).toBe(false)
      // Stock y-websocket 3.x: every code outside 4400-4499 is retried.
      expect(code >= 4400 && code < 4500, String(code)).toBe(false)
    }
    for (const code of [CloseCode.unknownSession, CloseCode.badToken, CloseCode.malformedMessage, CloseCode.tooLarge, CloseCode.forbidden]) {
      expect(isFatalCloseCode(code), String(code)).toBe(true)
    }
  })

  it('refuses connections over the per-address limit with 1013 and a time to retry, and a stock client comes back by itself', async () => {
    const limited = await startServerProcess({ env: { CONNECTIONS_PER_IP_PER_SECOND: '2', CONNECTION_BURST_PER_IP: '3' } })
    try {
      const session = await createSession(limited.url)
      const url = `${limited.wsUrl}/${session.id}`
      const clients = await Promise.all(Array.from({ length: 5 }, () => rawClient(url)))
      const refused = await Promise.race([Promise.any(clients.map((client) => client.closed)), new Promise((resolve) => setTimeout(() => resolve(null), 2000))])
      expect(refused).toEqual({ code: 1013, reason: expect.stringMatching(/^too many connections from this address; retry in \d+ s$/) })
      for (const client of clients) client.ws.close()
      // Used up again, then a stock provider: refused at first, it retries and gets in.
      await Promise.all(Array.from({ length: 5 }, () => rawClient(url).then((client) => client.ws.close())))
      const stock = connectPad(limited.wsUrl, session.id)
      const codes: number[] = []
      stock.provider.on('connection-close', (event) => {
        if (event) codes.push(event.code)
      })
      await waitForSynced(stock, 15_000)
      expect(codes.every((code) => code === 1013)).toBe(true)
      stock.destroy()
    } finally {
      await limited.dispose()
    }
  }, 30_000)
})
