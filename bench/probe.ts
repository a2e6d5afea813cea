/**
 * Probe: a fully decoding client of the fanout benchmark. It keeps a replica Y.Doc, watches the
 * pad's Y.XmlTexts for inserted markers (marker.ts) and records, for each one, the edit-to-
 * delivery latency: the time it was applied here minus the time the writer typed it, both on the
 * process-wide monotonic clock. It also checks that every marker arrives exactly once.
 */
import { padFragmentName } from '../shared/schema.ts'
import { MarkerTally } from './marker.ts'
import { YClient } from './y-client.ts'

/** What one probe has seen. */
export interface ProbeCounts {
  /** Distinct markers seen. */
  markers: number
  /** Markers seen more than once (should be 0). */
  duplicates: number
  /** Sync update frames received after the initial sync, and their bytes. */
  updateFrames: number
  updateBytes: number
}

export class Probe {
  private readonly tally = new MarkerTally()
  /** Latency of every marker seen, in milliseconds, in arrival order. */
  readonly latenciesMs = this.tally.latenciesMs
  /** When each of those markers was typed (monotonic µs), same order. */
  readonly sentMicros = this.tally.sentMicros

  private constructor(private readonly client: YClient) {
    client.ydoc.getXmlFragment(padFragmentName).observeDeep((events) => this.tally.observe(events))
  }

  /** Connects a probe to `url` (`.../sync/<docName>`) and waits until it is synced. */
  static async connect(url: string, timeoutMs: number): Promise<Probe> {
    const client = await YClient.connect({ url, applyRemote: 'always', autoSend: false, openTimeoutMs: timeoutMs })
    const probe = new Probe(client)
    await client.waitSynced(timeoutMs)
    return probe
  }

  /** The probe's counters. */
  counts(): ProbeCounts {
    return {
      markers: this.tally.seen.size,
      duplicates: this.tally.duplicates,
      updateFrames: this.client.updateFrames,
      updateBytes: this.client.updateBytes,
    }
  }

  /** Closes the connection. */
  close(): void {
    this.client.close()
  }

}
