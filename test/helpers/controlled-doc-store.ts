/**
 * ControlledDocStore: wraps a DocStore so a unit test can count and inspect calls, hold a method
 * open (its calls wait until released) and make the next call of a method fail. Used to prove
 * orderings such as "stored before broadcast" and "a failed load is retried".
 */
import type { DocStore, LoadedDoc, QuarantinedRow, RefusedRange, Revision, StoredRow } from '../../server/storage/doc-store.ts'

type Method = 'append' | 'load' | 'refs' | 'compact' | 'delete'

export interface StoreCall {
  method: Method
  docName: string
  /** The update passed to `append` or `compact`. */
  update?: Uint8Array
}

/** A hold on one method; `release` lets every waiting and later call through. */
export interface Hold {
  release(): void
}

export class ControlledDocStore implements DocStore {
  /** Every call, in the order it was made (before any hold or failure). */
  readonly calls: StoreCall[] = []
  private readonly holds = new Map<Method, Promise<void>>()
  private readonly releases = new Set<() => void>()
  private readonly failures = new Map<Method, unknown>()

  constructor(readonly inner: DocStore) {}

  /** Number of calls of `method` so far. */
  count(method: Method): number {
    return this.calls.filter((call) => call.method === method).length
  }

  /** Makes calls of `method` wait until the returned hold is released. */
  hold(method: Method): Hold {
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    this.holds.set(method, gate)
    const releaseOnce = () => {
      if (this.holds.get(method) === gate) this.holds.delete(method)
      this.releases.delete(releaseOnce)
      release()
    }
    this.releases.add(releaseOnce)
    return { release: releaseOnce }
  }

  /** Releases every hold (for test teardown). */
  releaseAll(): void {
    for (const release of [...this.releases]) release()
  }

  /** Makes the next call of `method` reject with `error` (after any hold). */
  failNext(method: Method, error: unknown = new Error(`${method} failed (injected)`)): void {
    this.failures.set(method, error)
  }

  async append(docName: string, update: Uint8Array, checks?: number): Promise<void> {
    await this.enter({ method: 'append', docName, update })
    return this.inner.append(docName, update, checks)
  }

  async load(docName: string): Promise<LoadedDoc | null> {
    await this.enter({ method: 'load', docName })
    return this.inner.load(docName)
  }

  async refs(docName: string): Promise<number[]> {
    await this.enter({ method: 'refs', docName })
    return this.inner.refs(docName)
  }

  async compact(docName: string, merged: Uint8Array, refs: readonly number[], checks?: number): Promise<void> {
    await this.enter({ method: 'compact', docName, update: merged })
    return this.inner.compact(docName, merged, refs, checks)
  }

  async delete(docName: string): Promise<void> {
    await this.enter({ method: 'delete', docName })
    return this.inner.delete(docName)
  }

  rows(docName: string): Promise<StoredRow[]> {
    return this.inner.rows(docName)
  }

  quarantine(docName: string, refs: readonly number[], reason: string): Promise<void> {
    return this.inner.quarantine(docName, refs, reason)
  }

  listQuarantined(docName: string): Promise<QuarantinedRow[]> {
    return this.inner.listQuarantined(docName)
  }

  appendRevision(docName: string, revision: Omit<Revision, 'rev'>): Promise<number> {
    return this.inner.appendRevision(docName, revision)
  }

  listRevisions(docName: string): Promise<Revision[]> {
    return this.inner.listRevisions(docName)
  }

  appendRefused(docName: string, ranges: readonly RefusedRange[]): Promise<void> {
    return this.inner.appendRefused(docName, ranges)
  }

  loadRefused(docName: string): Promise<RefusedRange[]> {
    return this.inner.loadRefused(docName)
  }

  close(): Promise<void> {
    return this.inner.close()
  }

  private async enter(call: StoreCall): Promise<void> {
    this.calls.push(call)
    const gate = this.holds.get(call.method)
    if (gate) await gate
    if (this.failures.has(call.method)) {
      const error = this.failures.get(call.method)
      this.failures.delete(call.method)
      throw error
    }
  }
}
