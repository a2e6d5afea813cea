/**
 * Keeps the pad's empty textblocks holding an (empty) Y.XmlText after this person's own edits,
 * so people who start typing in a new or emptied paragraph together share one text (see
 * `shared/textblock-text.ts`, issue 16 part 1). Stops with the view.
 */
import { Plugin, PluginKey } from 'prosemirror-state'
import { ySyncPluginKey } from 'y-prosemirror'
import type * as Y from 'yjs'
import { keepTextInEmptyTextblocks } from '../../../shared/textblock-text.ts'

export const textblockTextKey = new PluginKey('textblockText')

/** The plugin for the editor bound to `fragment`: fills what the binding's transactions leave bare. */
export function textblockText(fragment: Y.XmlFragment): Plugin {
  return new Plugin({
    key: textblockTextKey,
    view: () => {
      const stop = keepTextInEmptyTextblocks(fragment, new Set([ySyncPluginKey]))
      return { destroy: stop }
    },
  })
}
