/**
 * Keeps the start from inflating V8's young generation (issue 21, item 4: a lean process).
 *
 * V8 doubles the semi-spaces of its young generation whenever a scavenge finds that most of what
 * it allocated survived, and never gives that memory back while the process is idle. Loading
 * modules is exactly that: nearly everything allocated while the server starts lives for the
 * whole process, so the start alone grew the young generation from 2 to 16 MiB (8 MiB semi-spaces)
 * of resident memory an idle server then kept. Imported first by `main.ts`, this module sets the
 * growth factor to 1 while the modules load and the server starts (survivors go to the old
 * generation as they would anyway), and `startupDone()` restores V8's default (2) once the server
 * listens, so under load the young generation grows exactly as before.
 *
 * Nothing changes when the operator chose a growth factor (`--semi-space-growth-factor` in the
 * node arguments or NODE_OPTIONS).
 */
import v8 from 'node:v8'

const flag = '--semi-space-growth-factor'
/** V8's default growth factor (flag-definitions.h: `semi_space_growth_factor`, 2). */
const defaultGrowthFactor = 2

const chosenByOperator = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some(
  (arg) => arg.startsWith(flag) || arg.startsWith(flag.replaceAll('-', '_').replace(/^__/, '--')),
)

if (!chosenByOperator) v8.setFlagsFromString(`${flag}=1`)

/** Restores V8's default young-generation growth: call once the server is started. Idempotent. */
export function startupDone(): void {
  if (!chosenByOperator) v8.setFlagsFromString(`${flag}=${defaultGrowthFactor}`)
}
