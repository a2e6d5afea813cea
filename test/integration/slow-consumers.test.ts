/**
 * Slow consumers over real sockets: clients that stop reading are closed once their backlog
 * passes MAX_SEND_BACKLOG_BYTES (1013, "slow consumer"), the server's memory stays bounded meanwhile, everyone
 * else keeps getting edits, and a closed client resyncs when it reconnects.
 */
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { padFragmentName } from '../../shared/schema.ts'
import { createSession } from '../helpers/api.ts'
import { connectPad, rawClient, syncFrame, messageYjsSyncStep1, waitForSynced } from '../helpers/clients.ts'
import { startServerProcess, type ServerProcess } from '../helpers/start-server.ts'
import { waitFor } from '../helpers/wait-for.ts'

const backlogBytes = 256 * 1024
let server: ServerProcess
beforeAll(async () => {
  server = await startServerProcess({ env: { MAX_SEND_BACKLOG_BYTES: String(backlogBytes), MAX_MESSAGES_PER_SECOND: '100000', MESSAGE_BURST: '100000' } })
})
afterAll(async () => {
  await server?.dispose()
})

async function slowConsumerCloses(): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text()
  return Number(/summitpad_rejected_total\{reason="slow consumer"\} (\d+)/.exec(metrics)?.[1] ?? 0)
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

describe('slow consumers', () => {
  it('closes clients that stopped reading (1013, slow consumer), keeps memory bounded, and serves the rest', async () => {
    const session = await createSession(server.url)
    const url = `${server.wsUrl}/${session.id}`
    const stalled = await Promise.all(Array.from({ length: 40 }, () => rawClient(url)))
    const closes = stalled.map((client) => client.closed)
    for (const client of stalled) {
      client.ws.send(syncFrame(messageYjsSyncStep1, Y.encodeStateVector(new Y.Doc())))
      // Stop reading: the kernel buffers fill, then the server's send backlog grows.
      ;(client.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    }
    const reader = connectPad(server.wsUrl, session.id)
    const writer = connectPad(server.wsUrl, session.id, { ack: true })
    await Promise.all([waitForSynced(reader), waitForSynced(writer)])
    const rssBefore = rssMiB(server.pid)
    let peak = rssBefore
    const fragment = writer.ydoc.getXmlFragment(padFragmentName)
    // 24 MiB of edits in 16 KiB paragraphs: far more than 40 sockets' kernel buffers hold.
    const chunk = 'x'.repeat(16 * 1024)
    for (let i = 0; i < 1536; i++) {
      const paragraph = new Y.XmlElement('paragraph')
      paragraph.insert(0, [new Y.XmlText(`${i}:${chunk}`)])
      fragment.insert(fragment.length, [paragraph])
      if (i % 64 === 63) {
        await waitFor(() => writer.isSaved(), 20_000, 'writer acknowledged')
        peak = Math.max(peak, rssMiB(server.pid))
      }
    }
    // The server drops a slow consumer at once (a client that is not reading would see its close
    // frame only after the whole backlog), so count the closes on the server's side.
    await waitFor(async () => (await slowConsumerCloses()) === 40, 10_000, 'every stalled client closed')
    peak = Math.max(peak, rssMiB(server.pid))
    console.log(`slow consumers: 40 stalled clients closed (1013, slow consumer) while 24 MiB of edits went out; server RSS ${rssBefore.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB`)
    for (const client of stalled) (client.ws as unknown as { _socket: { resume(): void } })._socket.resume()
    await Promise.all(closes)
    // Holding 24 MiB for each of 40 stalled clients would take 960 MiB more; bounded, the growth is
    // the doc itself and garbage V8 has not collected yet.
    expect(peak - rssBefore).toBeLessThan(450)
    await waitFor(() => reader.ydoc.getXmlFragment(padFragmentName).length === fragment.length, 20_000, 'reader got every edit')

    // A closed client reconnects and resyncs to the whole pad.
    const again = connectPad(server.wsUrl, session.id)
    const resyncStarted = Date.now()
    await waitForSynced(again, 60_000)
    console.log(`slow consumers: a fresh client synced the 24 MiB pad in ${Date.now() - resyncStarted} ms`)
    expect(again.ydoc.getXmlFragment(padFragmentName).length).toBe(fragment.length)
    for (const client of [reader, writer, again]) client.destroy()
    for (const client of stalled) client.ws.terminate()
  }, 120_000)
})
