/**
 * Where the items of a client's update land (update-checks.ts checks them there): each item is
 * placed by what Yjs integrates it by (its parent when written out, else the parent of its left
 * origin, else of its right origin), looked up in this update, in the updates accepted but not
 * applied yet, or in the doc. The walk is iterative and memoized (a hostile chain is long).
 */
import * as Y from 'yjs'
import { ContentRefusedError, idKey, type ScannedItem, type StructId } from './update-shape.ts'

/** Yjs type refs of the XML types. */
export const xmlElement = 3
export const xmlFragment = 4
export const xmlText = 6

/** A type items may land in. */
export interface TypeInfo {
  /** Yjs type ref (0 array, 1 map, 2 text, 3 XML element, 4 XML fragment, 5 hook, 6 XML text), -1 for a root. */
  ref: number
  /** A root's name, an element's node name, else null. */
  name: string | null
  /** 0 for a root type. */
  depth: number
  /** Name of the root type this one is (nested) in. */
  root: string
}

/** Where an item lands: its parent type and key; `void` when Yjs drops it (its neighbour is gone). */
export type Placement = { parent: TypeInfo; parentSub: string | null } | 'void' | 'unknown'

/** Items of one checked update, by id, with their placement (for updates checked after it). */
export class PlacedItems {
  private readonly byClient = new Map<number, ScannedItem[]>()
  /** Placement of each item, by `idKey` of its first clock. */
  readonly placements = new Map<string, Placement>()
  private clientRanges: [number, number, number][] | null = null

  add(item: ScannedItem): void {
    this.clientRanges = null
    let items = this.byClient.get(item.client)
    if (!items) this.byClient.set(item.client, (items = []))
    items.push(item)
  }

  /** Sorts each client's items by clock (Yjs writes them in order; a crafted update may not). */
  seal(): void {
    for (const items of this.byClient.values()) {
      for (let i = 1; i < items.length; i++) {
        if (items[i]!.clock < items[i - 1]!.clock) {
          items.sort((a, b) => a.clock - b.clock)
          break
        }
      }
    }
  }

  /** The item covering `client:clock`, or null. */
  find(client: number, clock: number): ScannedItem | null {
    const items = this.byClient.get(client)
    if (!items) return null
    let low = 0
    let high = items.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const item = items[mid]!
      if (clock < item.clock) high = mid - 1
      else if (clock >= item.clock + item.length) low = mid + 1
      else return item
    }
    return null
  }

  /** For each client, the lowest clock and the highest clock + length of its items. */
  ranges(): [client: number, start: number, end: number][] {
    if (this.clientRanges) return this.clientRanges
    const ranges: [number, number, number][] = []
    for (const [client, items] of this.byClient) {
      let start = Infinity
      let end = 0
      for (const item of items) {
        start = Math.min(start, item.clock)
        end = Math.max(end, item.clock + item.length)
      }
      ranges.push([client, start, end])
    }
    return (this.clientRanges = ranges)
  }

  get all(): Iterable<ScannedItem> {
    const lists = this.byClient.values()
    return (function* () {
      for (const items of lists) yield* items
    })()
  }
}

/** An item found in an update accepted and not applied yet, with that update's placed items. */
export interface QueuedItem {
  item: ScannedItem
  placed: PlacedItems
}

/** What the checker needs from the room to place items that are not in the update. */
export interface PlacementSource {
  /** The doc as applied so far. */
  doc: Y.Doc
  /** The item covering an id in the oldest update accepted and not applied yet that has one. */
  findQueued(client: number, clock: number): QueuedItem | null
  /** Cache of type infos of the doc's types (kept by the room: types do not move). */
  types: WeakMap<Y.AbstractType<unknown>, TypeInfo>
}


/** Resolves placements, memoized, without recursion (chains of origins may be long). */
export class Placer {
  constructor(
    private readonly items: PlacedItems,
    private readonly source: PlacementSource,
  ) {}

  place(target: ScannedItem): Placement {
    const memo = this.items.placements
    const done = memo.get(idKey(target.client, target.clock))
    if (done) return done
    const stack: ScannedItem[] = [target]
    const onStack = new Set<string>([idKey(target.client, target.clock)])
    while (stack.length > 0) {
      const item = stack.at(-1)!
      const result = this.tryPlace(item)
      if (result.kind === 'needs') {
        const key = idKey(result.item.client, result.item.clock)
        // A cycle of origins across clients: Yjs would never integrate it.
        if (onStack.has(key)) throw new ContentRefusedError('update builds on content the server does not have')
        onStack.add(key)
        stack.push(result.item)
        continue
      }
      memo.set(idKey(item.client, item.clock), result.placement)
      onStack.delete(idKey(item.client, item.clock))
      stack.pop()
    }
    return memo.get(idKey(target.client, target.clock))!
  }

  /** The item's placement, or the item of this update it depends on that is not placed yet. */
  private tryPlace(item: ScannedItem): { kind: 'placed'; placement: Placement } | { kind: 'needs'; item: ScannedItem } {
    const placed = (placement: Placement) => ({ kind: 'placed' as const, placement })
    if (typeof item.parent === 'string') return placed({ parent: { ref: -1, name: item.parent, depth: 0, root: item.parent }, parentSub: item.parentSub })
    if (item.parent) {
      // The parent is written out: the type item at that id.
      const local = this.items.find(item.parent.client, item.parent.clock)
      if (local) {
        const parentPlacement = this.items.placements.get(idKey(local.client, local.clock))
        if (!parentPlacement) return { kind: 'needs', item: local }
        return placed(childOf(local, parentPlacement, item.parentSub))
      }
      return placed(this.typeOutside(item.parent, item.parentSub))
    }
    const neighbour = item.origin ?? item.rightOrigin
    if (!neighbour) return placed('unknown')
    const local = this.items.find(neighbour.client, neighbour.clock)
    if (local) {
      const placement = this.items.placements.get(idKey(local.client, local.clock))
      return placement ? placed(placement) : { kind: 'needs', item: local }
    }
    return placed(this.neighbourOutside(neighbour))
  }

  /** Placement of a child of the type item at `id`, which is not in this update. */
  private typeOutside(id: StructId, parentSub: string | null): Placement {
    const { doc } = this.source
    if (id.clock < Y.getState(doc.store, id.client)) {
      const item = Y.getItem(doc.store, Y.createID(id.client, id.clock))
      if (item instanceof Y.Item && item.content instanceof Y.ContentType) return { parent: this.typeInfo(item.content.type), parentSub }
      return 'void'
    }
    const queued = this.source.findQueued(id.client, id.clock)
    if (!queued) return 'unknown'
    const placement = queued.placed.placements.get(idKey(queued.item.client, queued.item.clock))
    return placement ? childOf(queued.item, placement, parentSub) : 'unknown'
  }

  /** Placement shared with the neighbour at `id` (an origin), which is not in this update. */
  private neighbourOutside(id: StructId): Placement {
    const { doc } = this.source
    if (id.clock < Y.getState(doc.store, id.client)) {
      const item = Y.getItem(doc.store, Y.createID(id.client, id.clock))
      if (!(item instanceof Y.Item) || !(item.parent instanceof Y.AbstractType)) return 'void'
      return { parent: this.typeInfo(item.parent), parentSub: item.parentSub }
    }
    const queued = this.source.findQueued(id.client, id.clock)
    if (!queued) return 'unknown'
    return queued.placed.placements.get(idKey(queued.item.client, queued.item.clock)) ?? 'unknown'
  }

  /** The type info of a type in the doc, computed up its ancestors once and cached. */
  private typeInfo(type: Y.AbstractType<unknown>): TypeInfo {
    const cache = this.source.types
    const chain: Y.AbstractType<unknown>[] = []
    let at: Y.AbstractType<unknown> | null = type
    let known: TypeInfo | undefined
    while (at && !(known = cache.get(at))) {
      chain.push(at)
      const item: Y.Item | null = at._item
      at = item && item.parent instanceof Y.AbstractType ? item.parent : null
      if (item && !at) break
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const current = chain[i]!
      let info: TypeInfo
      if (!current._item) {
        const name = rootName(this.source.doc, current)
        info = { ref: -1, name, depth: 0, root: name }
      } else if (!known) {
        // A type whose parent is gone: nothing lands in it for anyone to read.
        info = { ref: typeRefOf(current), name: null, depth: 0, root: '' }
      } else {
        info = { ref: typeRefOf(current), name: current instanceof Y.XmlElement ? current.nodeName : null, depth: known.depth + 1, root: known.root }
      }
      cache.set(current, info)
      known = info
    }
    return known!
  }
}

/** Placement of a child of `typeItem` (an item of a checked update) placed at `placement`. */
function childOf(typeItem: ScannedItem, placement: Placement, parentSub: string | null): Placement {
  if (placement === 'void' || placement === 'unknown') return placement
  if (typeItem.kind !== 7) return 'void'
  const { parent } = placement
  return { parent: { ref: typeItem.typeRef, name: typeItem.name, depth: parent.depth + 1, root: parent.root }, parentSub }
}

function rootName(doc: Y.Doc, type: Y.AbstractType<unknown>): string {
  for (const [name, shared] of doc.share) if (shared === type) return name
  return ''
}

function typeRefOf(type: Y.AbstractType<unknown>): number {
  if (type instanceof Y.XmlElement) return xmlElement
  if (type instanceof Y.XmlText) return xmlText
  if (type instanceof Y.XmlFragment) return xmlFragment
  if (type instanceof Y.XmlHook) return 5
  if (type instanceof Y.Text) return 2
  if (type instanceof Y.Map) return 1
  return 0
}

/** A name cut to 40 characters, for a close reason. */
export function clip(name: string | null): string {
  return (name ?? '').slice(0, 40)
}
