/**
 * Where this person's caret stays when someone else's text arrives exactly at it (issue 16,
 * part 1).
 *
 * y-prosemirror redraws the editor after every remote change and puts the local selection back
 * from Yjs relative positions it captured just before the change. It captures them associated to
 * the right (to the character after the caret, or to the end of the text), so a remote character
 * inserted exactly at the caret lands before it and the caret jumps over it: two people typing at
 * one place then alternate character by character ("AJlmicuer"). This module captures the
 * selection the way ShareJS resolves the same tie instead: a caret is associated to the left, to
 * this person's own last character, so a remote insert at the caret goes after it and the next
 * keystroke continues this person's run. A range keeps its edges: its start is associated to the
 * right and its end to the left, so text others type at either edge stays outside it.
 *
 * It replaces the binding's `beforeAllTransactions` hook (the one place the binding captures the
 * selection before a Yjs transaction) rather than editing y-prosemirror, so
 * `anchorSelectionToOwnText` must run after `EditorState.create` and before `new EditorView`,
 * which registers the hook. On a y-prosemirror upgrade, check that `ProsemirrorBinding.initView`
 * still registers `this.beforeAllTransactions` and that `restoreRelativeSelection` still reads
 * `beforeTransactionSelection`; the jsdom test `test/unit-dom/client/selection-anchoring.test.ts`
 * fails if either changes.
 */
import type { EditorState } from 'prosemirror-state'
import { getRelativeSelection, type ProsemirrorBinding, ySyncPluginKey } from 'y-prosemirror'
import * as Y from 'yjs'

/** How a position holds on when text is inserted exactly at it: -1 stays before it, 0 goes after it. */
type Assoc = -1 | 0

type RelativeSelection = ReturnType<typeof getRelativeSelection>

/**
 * Makes the pad's sync binding in `state` keep a caret after this person's own last character
 * when remote text arrives at it, and a range from growing at its edges. Call once, after
 * `EditorState.create` and before the state's `EditorView` is constructed; throws when the state
 * has no ySyncPlugin.
 */
export function anchorSelectionToOwnText(state: EditorState): void {
  // reason: y-prosemirror types its plugin state as any; `binding` is the one field used here.
  const syncState = ySyncPluginKey.getState(state) as { binding?: ProsemirrorBinding } | undefined
  const binding = syncState?.binding
  if (!binding) throw new RangeError('anchorSelectionToOwnText: the state has no ySyncPlugin')
  if (binding.prosemirrorView != null) throw new RangeError('anchorSelectionToOwnText: the binding already has its view')
  binding.beforeAllTransactions = () => {
    if (binding.beforeTransactionSelection === null && binding.prosemirrorView != null) {
      // reason: y-prosemirror types the binding's view as any; it is the EditorView of `state`.
      binding.beforeTransactionSelection = relativeSelection(binding, binding.prosemirrorView.state as EditorState)
    }
  }
}

/**
 * The selection of `state` as Yjs relative positions for `restoreRelativeSelection`: an empty
 * selection associated to the left; a range with its lower edge to the right and its upper edge
 * to the left. Node and all-selections are captured as y-prosemirror captures them.
 */
export function relativeSelection(binding: ProsemirrorBinding, state: EditorState): RelativeSelection {
  const captured = getRelativeSelection(binding, state)
  const { anchor, head, empty } = state.selection
  if (captured.type !== 'text') return captured
  if (empty) {
    const caret = reassociate(binding, captured.anchor, -1)
    return { ...captured, anchor: caret, head: caret }
  }
  return {
    ...captured,
    anchor: reassociate(binding, captured.anchor, anchor < head ? 0 : -1),
    head: reassociate(binding, captured.head, head < anchor ? 0 : -1),
  }
}

/**
 * The same place as `relPos` (from y-prosemirror's `absolutePositionToRelativePosition`), with
 * `assoc`. A place inside a text is then tied to the character on its left (-1) or right (0); a
 * place between the children of an element (an empty paragraph) to its start or its end.
 */
function reassociate(binding: ProsemirrorBinding, relPos: Y.RelativePosition | null, assoc: Assoc): Y.RelativePosition | null {
  if (relPos === null) return null
  const absolute = Y.createAbsolutePositionFromRelativePosition(relPos, binding.doc)
  // The binding's own positions always resolve while the doc matches the editor; when it does
  // not (a local change half applied), keep what y-prosemirror captured.
  if (absolute === null) return relPos
  return Y.createRelativePositionFromTypeIndex(absolute.type, absolute.index, assoc)
}
