/** Keyboard shortcuts of the pad editor (Mod is Cmd on macOS, Ctrl elsewhere). */
import { baseKeymap } from 'prosemirror-commands'
import { keymap } from 'prosemirror-keymap'
import type { Command, Plugin } from 'prosemirror-state'
import * as commands from './commands.ts'

/** Shortcut → command, also listed in the toolbar's tooltips. */
export const shortcuts: Record<string, Command> = {
  'Mod-z': commands.undo,
  'Mod-Shift-z': commands.redo,
  'Mod-y': commands.redo,
  'Mod-b': commands.toggleBold,
  'Mod-i': commands.toggleItalic,
  'Mod-`': commands.toggleCode,
  'Mod-Alt-0': commands.setParagraph,
  'Mod-Alt-1': commands.setHeading(1),
  'Mod-Alt-2': commands.setHeading(2),
  'Mod-Alt-3': commands.setHeading(3),
  'Shift-Mod-8': commands.toggleBulletList,
  'Shift-Mod-9': commands.toggleOrderedList,
  'Shift-Mod-7': commands.toggleTaskList,
  'Mod-Alt-d': commands.toggleDecision,
  'Mod-Alt-a': commands.toggleActionItem,
  Enter: commands.splitItem,
  Tab: commands.sinkItem,
  'Shift-Tab': commands.liftItem,
}

export function editorKeymaps(): Plugin[] {
  return [keymap(shortcuts), keymap(baseKeymap)]
}
