/**
 * The fanout benchmark's writers: Y.Doc clients in the main thread that type markers
 * (marker.ts) at a fixed total rate. Each writer owns one paragraph it created itself and appends
 * to its Y.XmlText, one marker per update, so writers never touch the same text. Writers are
 * write-only: after the initial sync they ignore the updates the server relays to them.
 *
 * The schedule is open-loop: update k is due at `k / rate` seconds after the start, whatever the
 * server does; a late tick sends every update that is due. The marker carries the time the update
 * was actually typed, and the lateness against the schedule is reported as generator lag.
 */
import * as Y from 'yjs'
import { padFragmentName } from '../shared/schema.ts'
import { nowMicros, nowMs } from './clock.ts'
import { formatMarker } from './marker.ts'
import { YClient } from './y-client.ts'

/** What a timed run of the writers did. */
export interface WriteRun {
  /** Marker updates typed. */
  sent: number
  /** From the first update to the last, in ms. */
  durationMs: number
  /** Lateness of sends against the fixed schedule, in ms. */
  meanLagMs: number
  maxLagMs: number
}

interface Writer {
  client: YClient
  text: Y.XmlText
}

export class Writers {
  private constructor(private readonly writers: Writer[]) {}

  /**
   * Connects `count` writers to `url`; each syncs and then appends its own empty paragraph
   * (one update each, broadcast to everyone before the timed run).
   */
  static async connect(url: string, count: number, timeoutMs: number): Promise<Writers> {
    const writers: Writer[] = []
    try {
      for (let i = 0; i < count; i++) {
        const client = await YClient.connect({ url, applyRemote: 'untilSynced', openTimeoutMs: timeoutMs })
        writers.push({ client, text: new Y.XmlText() })
        await client.waitSynced(timeoutMs)
        const paragraph = new Y.XmlElement('paragraph')
        paragraph.insert(0, [writers[i]!.text])
        client.ydoc.getXmlFragment(padFragmentName).push([paragraph])
      }
    } catch (error) {
      for (const writer of writers) writer.client.close()
      throw error
    }
    return new Writers(writers)
  }

  /** Markers typed so far over every run. */
  private typed = 0

  /** Each writer's client id and own clock: what every receiver must reach to have it all. */
  clocks(): [number, number][] {
    return this.writers.map(({ client }) => [client.ydoc.clientID, Y.getState(client.ydoc.store, client.ydoc.clientID)])
  }

  /** Update frames the writers have sent so far (setup paragraphs included). */
  get sentFrames(): number {
    return this.writers.reduce((sum, writer) => sum + writer.client.sentFrames, 0)
  }

  /**
   * Types `round(rate * seconds)` markers, round-robin over the writers, update k due at
   * k / rate s. Resolves after the last one was sent.
   */
  run(rate: number, seconds: number): Promise<WriteRun> {
    const total = Math.max(1, Math.round(rate * seconds))
    const intervalMs = 1000 / rate
    const start = nowMs()
    let sent = 0
    let lagSum = 0
    let maxLag = 0
    return new Promise((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor((nowMs() - start) / intervalMs) + 1)
        while (sent < due) {
          const lag = nowMs() - (start + sent * intervalMs)
          lagSum += lag
          maxLag = Math.max(maxLag, lag)
          const writer = this.writers[sent % this.writers.length]!
          // Marker ids run on across runs (a warm-up, then the measured run): each is unique.
          writer.text.insert(writer.text.length, formatMarker(this.typed++, nowMicros()))
          sent++
        }
        if (sent >= total) {
          clearInterval(timer)
          resolve({ sent, durationMs: nowMs() - start, meanLagMs: lagSum / sent, maxLagMs: maxLag })
        }
      }
      const timer = setInterval(tick, 1)
      tick()
    })
  }

  /** Closes every writer. */
  close(): void {
    for (const writer of this.writers) writer.client.close()
  }
}
