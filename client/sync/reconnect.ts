/**
 * Reconnecting every socket the page holds (pad, control, chat) with jittered exponential backoff,
 * and knowing which of them are down.
 *
 * Stock y-websocket backs off deterministically (100 ms · 2^n), so after a server restart or a
 * refusal of a whole room behind one NAT every browser comes back at the same instants. Here each
 * retry waits a random 50-100 % of the backoff, and never less than the "retry in N s" a 1013
 * close asked for. Closes in 4400-4499 (and 1003) are final: retrying cannot help.
 */
import { ObservableV2 } from 'lib0/observable'
import type { WebsocketProvider } from 'y-websocket'
import { isFatalCloseCode, retryAfterMs } from '../../shared/close-codes.ts'

/** Providers whose jittered retry is scheduled (their `shouldConnect` is false meanwhile). */
const pendingRetry = new WeakSet<WebsocketProvider>()

/** First backoff step, in ms. */
const baseDelayMs = 250
/** Longest backoff, in ms. @default 10000 */
const maxDelayMs = 10_000

/**
 * How long to wait before attempt `attempt` (0 for the first retry): a random 50-100 % of
 * min(max, 250 ms · 2^attempt), and at least what `reason` asks for (`...; retry in N s`) plus up
 * to half of it again, so a refused crowd spreads out. `random` returns [0, 1).
 */
export function retryDelayMs(attempt: number, reason: string, random: () => number = Math.random): number {
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 20))
  const jittered = backoff * (0.5 + random() / 2)
  const asked = retryAfterMs(reason)
  return Math.round(asked === null ? jittered : Math.max(jittered, asked * (1 + random() / 2)))
}

/**
 * Takes over `provider`'s reconnecting: after a server close that is not final it reconnects after
 * `retryDelayMs`; after a final one it stays closed (the provider emits `closed`). The attempt count
 * resets once the provider has synced. Returns a function that stops (e.g. before destroy).
 */
export function retryWithJitter(provider: WebsocketProvider): () => void {
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  provider.shouldReconnect = (event: CloseEvent) => {
    if (isFatalCloseCode(event.code)) return false
    if (timer) clearTimeout(timer)
    pendingRetry.add(provider)
    timer = setTimeout(
      () => {
        timer = null
        pendingRetry.delete(provider)
        provider.connect()
      },
      retryDelayMs(attempt++, event.reason ?? ''),
    )
    // The provider's own (unjittered) retry is turned off; the timer above reconnects.
    return false
  }
  const onSync = (synced: boolean) => {
    if (synced) attempt = 0
  }
  provider.on('sync', onSync)
  return () => {
    if (timer) clearTimeout(timer)
    pendingRetry.delete(provider)
    provider.off('sync', onSync)
  }
}

/**
 * The sockets of one page by name (e.g. `control`, `chat`), with a `change` event whenever one of
 * them connects or drops. A socket is *down* when it should be connected, was connected before,
 * and is not now (or is waiting to retry); *connecting* when it has never been connected yet.
 */
export class PageSockets extends ObservableV2<{ change: () => void }> {
  private readonly sockets = new Map<string, { provider: WebsocketProvider; everConnected: boolean }>()

  /** Watches `provider` under `name` (its owner has made it retry, see `retryWithJitter`). */
  add(name: string, provider: WebsocketProvider): void {
    const entry = { provider, everConnected: provider.wsconnected }
    this.sockets.set(name, entry)
    provider.on('status', ({ status }) => {
      if (status === 'connected') entry.everConnected = true
      this.emit('change', [])
    })
    provider.on('closed', () => this.emit('change', []))
  }

  /** Names of the sockets that were connected and are not now, while they should be. */
  get down(): string[] {
    return [...this.sockets].filter(([, { provider, everConnected }]) => everConnected && !provider.wsconnected && !isStopped(provider)).map(([name]) => name)
  }

  /** Names of the sockets that have not connected yet (and have not been refused for good). */
  get connecting(): string[] {
    return [...this.sockets].filter(([, { provider, everConnected }]) => !everConnected && !provider.wsconnected && !isStopped(provider)).map(([name]) => name)
  }

  override destroy(): void {
    this.sockets.clear()
    super.destroy()
  }
}

/** True when the provider gave up for good (a final close) or was disconnected on purpose. */
function isStopped(provider: WebsocketProvider): boolean {
  return !provider.shouldConnect && provider.ws === null && !pendingRetry.has(provider)
}
