/**
 * startup-heap.ts: `loadHeld` hands back what the load gives (or its error) whether or not the
 * young generation is managed; the memory it saves is the bench's to show (the archive zip row).
 */
import { describe, expect, it } from 'vitest'
import { loadHeld } from '../../../server/startup-heap.ts'

describe('loadHeld', () => {
  it('resolves with the load, and rejects with its error', async () => {
    expect(await loadHeld(async () => 'loaded')).toBe('loaded')
    await expect(loadHeld(async () => Promise.reject(new Error('no module')))).rejects.toThrow('no module')
    expect(await loadHeld(() => import('../../../server/env-fields.ts')).then((module) => typeof module.int)).toBe('function')
  })
})
