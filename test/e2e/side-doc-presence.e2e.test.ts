/**
 * Presence lives on the pad: a pad page publishes its awareness state (name, colour, cursor) on
 * the pad socket only. Its control and chat sockets publish none (y-websocket's default `{}`
 * state would otherwise be sent and renewed every 15 s by every tab on both: in a room of sixty,
 * twice the awareness traffic the server reads for nothing; issue 21, the summit-day profile).
 * The page's outgoing frames are read where they leave the browser.
 */
import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import { createSessionWithKeys } from '../helpers/api.ts'
import { browserSuite, contextAs } from '../helpers/browser.ts'
import { waitFor } from '../helpers/wait-for.ts'

const suite = browserSuite()
const messageAwareness = 1

/** The awareness states (JSON text) an outgoing y-websocket frame carries; none for other messages. */
function awarenessStates(frame: Buffer): string[] {
  const decoder = decoding.createDecoder(new Uint8Array(frame))
  if (decoding.readVarUint(decoder) !== messageAwareness) return []
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder))
  const states: string[] = []
  for (let count = decoding.readVarUint(update); count > 0; count--) {
    decoding.readVarUint(update) // client id
    decoding.readVarUint(update) // clock
    states.push(decoding.readVarString(update))
  }
  return states
}

describe('a pad page', () => {
  it('publishes its presence on the pad socket and none on the control and chat sockets', async () => {
    const { links } = await createSessionWithKeys(suite.server.url)
    const context = await contextAs(suite.browser, { name: 'Grace Hopper', color: '#2e7d32' })
    const sent: Record<'pad' | 'control' | 'chat', string[]> = { pad: [], control: [], chat: [] }
    try {
      const page = await context.newPage()
      await page.routeWebSocket(/\/sync\//, (route) => {
        const path = new URL(route.url()).pathname
        const kind = path.endsWith('/control') ? 'control' : path.endsWith('/chat') ? 'chat' : 'pad'
        const server = route.connectToServer()
        route.onMessage((message) => {
          if (typeof message !== 'string') sent[kind].push(...awarenessStates(message))
          server.send(message)
        })
      })
      await page.goto(`${suite.server.url}${links.attendee}`)
      await page.locator('.sync-indicator[data-state="connected"]').waitFor({ timeout: 15_000 })
      await waitFor(() => sent.pad.some((state) => state.includes('Grace Hopper')), 15_000, "the page's presence on the pad socket")
      // Every socket opened and synced (the indicator says connected) before the pad's presence
      // was seen: the control and chat sockets had their chance to send a state, and sent none.
      expect(sent.control.filter((state) => state !== 'null')).toEqual([])
      expect(sent.chat.filter((state) => state !== 'null')).toEqual([])
    } finally {
      await context.close()
    }
  }, 60_000)
})
