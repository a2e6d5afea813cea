/**
 * Worker thread hosting a share of the rooms scenario's rooms: every client of a room lives in
 * the same worker (one writer, the others receiving), so a marker's send and receive times come
 * from one thread's view of the shared monotonic clock and the bench main thread stays idle.
 */
import { nowMs, sleep } from './clock.ts'
import { RoomClient, type WireProtocol } from './room-client.ts'
import { serveRpc } from './worker-rpc.ts'

/** One room to join: where its clients connect and when (monotonic ms). */
export interface RoomJoin {
  url: string
  docName: string
  atMs: number
}

/** The methods a room worker serves (see RpcWorker). */
export type RoomWorkerApi = {
  /**
   * Joins every room at its time (open loop: a late room does not delay the next), its
   * `clientsPerRoom` clients at once, the first of them the writer. Resolves once all are synced
   * or failed, with each synced client's connect time (ms) and the failures' messages.
   */
  join(params: { rooms: RoomJoin[]; clientsPerRoom: number; protocol: WireProtocol; timeoutMs: number }): Promise<{ connectMs: number[]; openMs: number[]; failures: string[] }>
  /**
   * Each room's writer types one marker about every `1000 / ratePerRoom` ms (each interval drawn
   * uniformly from 0.5 to 1.5 times that, the first one from 0 to 1 times), from now until
   * `untilMs`; markers typed before `timedFromMs` are not timed. Resolves when typing stops.
   */
  edit(params: { ratePerRoom: number; timedFromMs: number; untilMs: number }): Promise<{ typed: number; timedTyped: number }>
  /** Receivers that have every marker their room's writer typed, of all receivers. */
  delivery(params: void): { complete: number; receivers: number; received: number; expected: number }
  /** Every timed latency (ms) and what closed. */
  results(params: void): { latencies: number[]; closed: number }
  close(params: void): void
}

interface JoinedRoom {
  writer: RoomClient
  receivers: RoomClient[]
}

const rooms: JoinedRoom[] = []

const api: RoomWorkerApi = {
  async join({ rooms: joins, clientsPerRoom, protocol, timeoutMs }) {
    const connectMs: number[] = []
    const openMs: number[] = []
    const failures: string[] = []
    await Promise.all(
      joins.map(async (join) => {
        const wait = join.atMs - nowMs()
        if (wait > 0) await sleep(wait)
        const settled = await Promise.allSettled(
          Array.from({ length: clientsPerRoom }, (_, i) => RoomClient.connect({ url: join.url, docName: join.docName, protocol, writer: i === 0, timeoutMs })),
        )
        const clients: RoomClient[] = []
        for (const result of settled) {
          if (result.status === 'fulfilled') {
            clients.push(result.value)
            connectMs.push(result.value.connectMs)
            openMs.push(result.value.openMs)
          } else failures.push(String(result.reason))
        }
        if (clients.length === clientsPerRoom) rooms.push({ writer: clients[0]!, receivers: clients.slice(1) })
        else for (const client of clients) client.close()
      }),
    )
    return { connectMs, openMs, failures }
  },
  async edit({ ratePerRoom, timedFromMs, untilMs }) {
    const meanMs = 1000 / ratePerRoom
    const timedFromMicros = Math.round(timedFromMs * 1000)
    for (const room of rooms) for (const receiver of room.receivers) receiver.timedFromMicros = timedFromMicros
    let typed = 0
    let timedTyped = 0
    await Promise.all(
      rooms.map(
        (room) =>
          new Promise<void>((resolve) => {
            const tick = () => {
              if (nowMs() >= untilMs) {
                resolve()
                return
              }
              if (nowMs() >= timedFromMs) timedTyped++
              room.writer.type()
              typed++
              setTimeout(tick, meanMs * (0.5 + Math.random()))
            }
            setTimeout(tick, meanMs * Math.random())
          }),
      ),
    )
    return { typed, timedTyped }
  },
  delivery() {
    let complete = 0
    let receivers = 0
    let received = 0
    let expected = 0
    for (const room of rooms) {
      for (const receiver of room.receivers) {
        receivers++
        received += receiver.markersReceived
        expected += room.writer.markersTyped
        if (receiver.markersReceived === room.writer.markersTyped) complete++
      }
    }
    return { complete, receivers, received, expected }
  },
  results() {
    const latencies: number[] = []
    let closed = 0
    for (const room of rooms) {
      for (const client of [room.writer, ...room.receivers]) {
        if (client.closeCode !== 0) closed++
        for (const latency of client.latencies) latencies.push(latency)
      }
    }
    return { latencies, closed }
  },
  close() {
    for (const room of rooms) for (const client of [room.writer, ...room.receivers]) client.close()
    rooms.length = 0
  },
}

serveRpc(api)
