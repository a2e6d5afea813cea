/**
 * What a client's update may put where (issue 15 part 3, issue 16 part 4): before an update is
 * stored, every item it carries is placed (which type it lands in, under which key) and checked
 * against the shape its doc may have.
 *
 * - Every doc: types nest at most `maxElementDepth` deep (20,000 nested elements broke every
 *   export), no subdocuments, and a new type or key is checked where it lands (one that builds on
 *   content the server does not have yet is kept pending, as Yjs does; see `check`).
 * - A pad (`shared/schema.ts`): inside the ProseMirror fragment, only elements the schema has,
 *   only attributes their node type has, text only in XML text, and only the schema's marks as
 *   format keys. Other roots (authorship) take only the generic limits.
 * - A control doc: plain values in the `control` map. A chat doc: plain values in the `messages`
 *   array. Neither holds nested types.
 *
 * Values, names and client ids are bounded while the update is scanned (update-shape.ts); this
 * module needs the doc to place items, so the room calls it after the scan.
 *
 * An item is placed by what Yjs integrates it by: its parent when written out, else the parent of
 * its left origin, else of its right origin. Those may be in this update, in an update accepted
 * but not applied yet, or in the doc; the walk over them is iterative (a hostile chain is long).
 */
import { chatArrayName } from '../../shared/chat.ts'
import { controlMapName } from '../../shared/control-state.ts'
import { padFragmentName, schema } from '../../shared/schema.ts'
import { clip, PlacedItems, Placer, xmlElement, xmlText, type PlacementSource, type TypeInfo } from './update-placement.ts'
import { ContentRefusedError, type ContentLimits, type ScannedItem } from './update-shape.ts'

/** Which rules a doc's updates follow. `free`: the generic limits only. */
export type DocShape = 'pad' | 'control' | 'chat' | 'free'

/** The limits of update-shape.ts plus those that need the doc. */
export interface UpdateCheckLimits extends ContentLimits {
  /** Deepest nesting of types (elements in elements, maps in maps), the root type being 0. */
  maxElementDepth: number
  /** Most clients a sync step 1 state vector may list. */
  maxStateVectorClients: number
}

/** Defaults that fit a 2 MB pad of notes with room to spare (see docs/update-limits.md). */
export const defaultUpdateCheckLimits: UpdateCheckLimits = {
  maxValueDepth: 32,
  maxValueChars: 64 * 1024,
  maxNameChars: 256,
  maxClients: 4096,
  maxElementDepth: 64,
  maxStateVectorClients: 16_384,
}


const padNodes = new Set(Object.keys(schema.nodes).filter((name) => name !== 'doc' && name !== 'text'))
const padMarks = new Set(Object.keys(schema.marks).filter((name) => name !== 'ychange'))

/** A format key as y-prosemirror writes it: the mark name, `--` and a hash for overlapping marks. */
function markNameOf(key: string): string {
  return /^(.*)--[a-zA-Z0-9+/=]{8}$/.exec(key)?.[1] ?? key
}

function refuse(message: string): never {
  throw new ContentRefusedError(message)
}

/**
 * Places every item of one update (collected with `collect` while update-shape.ts scans it) and
 * checks it against `shape`'s rules and `limits`. `check` throws ContentRefusedError for the first
 * item that breaks one; the message names the rule, for the close reason.
 */
export class UpdateChecker {
  readonly items = new PlacedItems()

  constructor(
    private readonly shape: DocShape,
    private readonly limits: UpdateCheckLimits,
  ) {}

  /** The visitor to pass to `scanUpdate`. */
  readonly collect = (item: ScannedItem): void => {
    if (item.kind === 9) refuse('subdocuments are not allowed')
    if (this.shape === 'pad' && item.kind === 7 && item.typeRef === xmlElement && !padNodes.has(item.name ?? '')) {
      refuse(`element "${clip(item.name)}" is not in the pad schema`)
    }
    if (this.shape === 'pad' && item.kind === 6 && !padMarks.has(markNameOf(item.name ?? ''))) {
      refuse(`mark "${clip(item.name)}" is not in the pad schema`)
    }
    if ((this.shape === 'control' || this.shape === 'chat') && item.kind !== 1 && item.kind !== 8) {
      refuse(`the ${this.shape} doc holds plain values only`)
    }
    this.items.add(item)
  }

  /** Places every collected item and checks it; throws ContentRefusedError. */
  check(source: PlacementSource): void {
    this.items.seal()
    const placer = new Placer(this.items, source)
    for (const item of this.items.all) {
      const placement = placer.place(item)
      if (placement === 'void') continue
      if (placement === 'unknown') {
        // Yjs keeps such an item pending until what it builds on arrives. A legitimate client
        // sends one whenever it types right after reconnecting, before its sync step 2 with the
        // offline work it builds on has arrived: refusing it (final for the client) would strand
        // that person. What needs no placement was checked while scanning (element names, marks,
        // values and their nesting); the pending bytes are bounded (`maxPendingBytes`), and the
        // exporters repair what lands out of place.
        continue
      }
      this.checkPlaced(item, placement.parent, placement.parentSub)
    }
  }

  private checkPlaced(item: ScannedItem, parent: TypeInfo, parentSub: string | null): void {
    if (item.kind === 7 && parent.depth + 1 > this.limits.maxElementDepth) refuse(`elements nested deeper than ${this.limits.maxElementDepth}`)
    if (item.kind === 1) return
    switch (this.shape) {
      case 'pad':
        if (parent.root === padFragmentName) this.checkPad(item, parent, parentSub)
        return
      case 'control':
        if (parent.ref !== -1 || parent.name !== controlMapName || parentSub === null) refuse('the control doc holds values of its control map only')
        return
      case 'chat':
        if (parent.ref !== -1 || parent.name !== chatArrayName || parentSub !== null) refuse('the chat doc holds messages of its array only')
        return
      case 'free':
        return
    }
  }

  /** An item in the ProseMirror fragment: y-prosemirror's mapping of `shared/schema.ts`. */
  private checkPad(item: ScannedItem, parent: TypeInfo, parentSub: string | null): void {
    const isRoot = parent.ref === -1
    if (isRoot || parent.ref === xmlElement) {
      if (parentSub !== null) {
        const node = isRoot ? null : schema.nodes[parent.name ?? '']
        if (!node || !Object.hasOwn(node.spec.attrs ?? {}, parentSub)) refuse(`attribute "${clip(parentSub)}" is not in the pad schema`)
        if (item.kind !== 8) refuse('attribute values must be plain values')
        return
      }
      if (item.kind === 7 && (item.typeRef === xmlElement || item.typeRef === xmlText)) return
      refuse('the pad holds elements and text only')
    }
    if (parent.ref === xmlText && parentSub === null && (item.kind === 4 || item.kind === 6)) return
    refuse('the pad holds elements and text only')
  }
}

/**
 * Refuses a sync step 1 state vector that lists more than `maxClients` clients, reading only its
 * count. Throws ContentRefusedError.
 */
export function checkStateVector(stateVector: Uint8Array, maxClients: number): void {
  // The count is the first varUint; reading it alone costs nothing whatever the vector's size.
  let count = 0
  let shift = 0
  for (let i = 0; i < stateVector.length && i < 8; i++) {
    const byte = stateVector[i]!
    count += (byte & 0x7f) * 2 ** shift
    shift += 7
    if (byte < 0x80) break
  }
  if (count > maxClients) refuse(`state vector lists more than ${maxClients} clients`)
}
