/**
 * Keeps the start from inflating V8's young generation (issue 21, item 4: a lean process).
 *
 * V8 doubles the semi-spaces of its young generation whenever a scavenge finds that most of what
 * it allocated survived, and never gives that memory back while the process is idle. Loading
 * modules is exactly that: nearly everything allocated while the server starts lives for the
 * whole process, so the start alone grew the young generation from 2 to 16 MiB (8 MiB semi-spaces)
 * of resident memory an idle server then kept. `main.ts` calls `holdYoungGeneration` before it
 * loads anything else: the growth factor is 1 while the modules load and the server starts
 * (survivors go to the old generation as they would anyway), and the function it returns restores
 * V8's default (2) once the server is first used (its first WebSocket or web app request; health
 * checks and metrics scrapes do not count), so under load the young generation grows exactly as
 * before.
 *
 * Nothing changes when the operator chose a growth factor (`--semi-space-growth-factor` in the
 * node arguments or NODE_OPTIONS).
 */
import v8 from 'node:v8'

const flag = '--semi-space-growth-factor'
/** V8's default growth factor (flag-definitions.h: `semi_space_growth_factor`, 2). */
const defaultGrowthFactor = 2

/** True once the entry point holds the young generation (and the operator chose no factor). */
let managed = false
/** True from the start until the server is first used. */
let starting = false
/** Lazy loads in flight (see `loadHeld`). */
let loads = 0

function applyFactor(): void {
  if (managed) v8.setFlagsFromString(`${flag}=${starting || loads > 0 ? 1 : defaultGrowthFactor}`)
}

/**
 * Holds V8's young generation at its size while the server starts, unless the operator chose a
 * growth factor in the node arguments or in `nodeOptions` (the NODE_OPTIONS the entry point read).
 * Returns the function that restores V8's default growth: call it once the server is in use.
 */
export function holdYoungGeneration(nodeOptions: string | undefined): () => void {
  const chosenByOperator = [...process.execArgv, ...(nodeOptions ?? '').split(/\s+/)].some(
    (arg) => arg.startsWith(flag) || arg.startsWith(flag.replaceAll('-', '_').replace(/^__/, '--')),
  )
  if (chosenByOperator) return () => {}
  managed = true
  starting = true
  applyFactor()
  return () => {
    starting = false
    applyFactor()
  }
}

/**
 * Runs `load`, a dynamic import of modules the server loads on first use (the web app, the API's
 * routers and their schemas), with the young generation held as during the start: like the
 * start, a load is nearly all survivors, and loaded into a server already at work it grew the
 * young generation for good (issue 21: the archive zip, the first API request of a fresh server,
 * peaked 9 MiB higher with zod loaded then than at the start). Nothing changes unless
 * `holdYoungGeneration` holds it (the entry point, not tests or the CLI).
 */
export async function loadHeld<T>(load: () => Promise<T>): Promise<T> {
  loads++
  applyFactor()
  try {
    return await load()
  } finally {
    loads--
    applyFactor()
  }
}
