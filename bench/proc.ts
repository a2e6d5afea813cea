/**
 * Reads another process's CPU time and memory from Linux procfs: `/proc/<pid>/stat` (utime +
 * stime, in clock ticks) and `/proc/<pid>/status` (VmHWM peak resident set, VmRSS current).
 * `CpuMeter` turns two readings into a CPU percentage (100 % = one core busy) and samples once a
 * second to find the busiest second.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { nowMs } from './clock.ts'
import { round } from './stats.ts'

let clockTicks: number | null = null

/** Clock ticks per second (`getconf CLK_TCK`, almost always 100). */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/** CPU seconds (user + system) `pid` has used so far, all its threads included. */
export function readCpuSeconds(pid: number): number {
  return parseCpuSeconds(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

/**
 * CPU seconds used so far by the main thread of `pid` alone (its thread id is the pid). For a
 * Node process this is the event loop: JavaScript, socket I/O, synchronous SQLite calls.
 */
export function readMainThreadCpuSeconds(pid: number): number {
  return parseCpuSeconds(fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'))
}

function parseCpuSeconds(stat: string): number {
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (15) fields[12].
  const ticks = Number(fields[11]) + Number(fields[12])
  return ticks / clockTicksPerSecond()
}

/** Memory of a process, in bytes. */
export interface MemoryReading {
  /** Peak resident set size since the process started (VmHWM). */
  peakRssBytes: number
  /** Current resident set size (VmRSS). */
  rssBytes: number
}

/** Reads VmHWM and VmRSS of `pid`. */
export function readMemory(pid: number): MemoryReading {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)
    return match ? Number(match[1]) * 1024 : Number.NaN
  }
  return { peakRssBytes: kib('VmHWM'), rssBytes: kib('VmRSS') }
}

/** CPU use of a process over a measured window. */
export interface CpuReading {
  /** CPU time / wall time over the window, in percent (200 = two cores busy). */
  cpuPercent: number
  /** The busiest one-second sample inside the window, in percent. */
  peakSecondPercent: number
  /** CPU % of the main thread alone (at most 100: the event loop is one thread). */
  mainThreadPercent: number
  /** The busiest one-second sample of the main thread, in percent. */
  mainThreadPeakSecondPercent: number
  /** CPU seconds used in the window. */
  cpuSeconds: number
  /** Length of the window in seconds. */
  wallSeconds: number
}

/** Measures the CPU use of `pid` from `start()` to `stop()`, sampling once per `sampleMs`. */
export class CpuMeter {
  private startCpu = 0
  private startMain = 0
  private startWall = 0
  private lastCpu = 0
  private lastMain = 0
  private lastWall = 0
  private peak = 0
  private mainPeak = 0
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly pid: number,
    private readonly sampleMs = 1000,
  ) {}

  /** Starts the window. */
  start(): void {
    this.startCpu = this.lastCpu = readCpuSeconds(this.pid)
    this.startMain = this.lastMain = readMainThreadCpuSeconds(this.pid)
    this.startWall = this.lastWall = nowMs()
    this.peak = 0
    this.mainPeak = 0
    this.timer = setInterval(() => this.sample(), this.sampleMs)
  }

  /** Ends the window and returns the reading. */
  stop(): CpuReading {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.sample()
    const cpuSeconds = this.lastCpu - this.startCpu
    const wallSeconds = (this.lastWall - this.startWall) / 1000
    const percent = (seconds: number) => (wallSeconds > 0 ? (100 * seconds) / wallSeconds : Number.NaN)
    return {
      cpuPercent: percent(cpuSeconds),
      peakSecondPercent: this.peak,
      mainThreadPercent: percent(this.lastMain - this.startMain),
      mainThreadPeakSecondPercent: this.mainPeak,
      cpuSeconds,
      wallSeconds,
    }
  }

  private sample(): void {
    let cpu: number
    let main: number
    try {
      cpu = readCpuSeconds(this.pid)
      main = readMainThreadCpuSeconds(this.pid)
    } catch {
      return // the process is gone; keep the last reading
    }
    const wall = nowMs()
    const elapsed = (wall - this.lastWall) / 1000
    // Short tail samples are too coarse (10 ms ticks) to count towards the peak.
    if (elapsed >= (0.5 * this.sampleMs) / 1000) {
      this.peak = Math.max(this.peak, (100 * (cpu - this.lastCpu)) / elapsed)
      this.mainPeak = Math.max(this.mainPeak, (100 * (main - this.lastMain)) / elapsed)
    }
    this.lastCpu = cpu
    this.lastMain = main
    this.lastWall = wall
  }
}

/** What the whole machine did over a window: shows when other processes competed for the CPU. */
export interface MachineReading {
  /** CPU busy over all cores, in percent of one core (200 = both cores of a 2-core machine). */
  busyPercent: number
  /** Share of the window in which some runnable task waited for a CPU (PSI `cpu some`), %. */
  cpuPressurePercent: number | null
  /** Cores online. */
  cores: number
}

/** The machine over a window as the JSON lines report it, rounded: `otherCpuPercent` is what neither the server nor the bench used (`ownPercent`: theirs together). */
export function machineFigures(reading: MachineReading, ownPercent: number): { busyPercent: number | null; otherCpuPercent: number | null; cpuPressurePercent: number | null } {
  return {
    busyPercent: round(reading.busyPercent, 1),
    otherCpuPercent: round(Math.max(0, reading.busyPercent - ownPercent), 1),
    cpuPressurePercent: reading.cpuPressurePercent === null ? null : round(reading.cpuPressurePercent, 1),
  }
}

interface MachineSample {
  busyTicks: number
  pressureMicros: number | null
  wallMs: number
}

/** Measures machine-wide CPU use (/proc/stat) and CPU pressure (/proc/pressure/cpu). */
export class MachineMeter {
  private start: MachineSample | null = null

  /** Starts the window. */
  begin(): void {
    this.start = sampleMachine()
  }

  /** Ends the window and returns the reading. */
  end(): MachineReading {
    const start = this.start ?? sampleMachine()
    const end = sampleMachine()
    const wallSeconds = (end.wallMs - start.wallMs) / 1000
    const busySeconds = (end.busyTicks - start.busyTicks) / clockTicksPerSecond()
    const pressure =
      start.pressureMicros === null || end.pressureMicros === null
        ? null
        : (100 * (end.pressureMicros - start.pressureMicros)) / 1e6 / wallSeconds
    return {
      busyPercent: wallSeconds > 0 ? (100 * busySeconds) / wallSeconds : Number.NaN,
      cpuPressurePercent: pressure,
      cores: os.availableParallelism(),
    }
  }
}

function sampleMachine(): MachineSample {
  // cpu  user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
  const ticks = line.trim().split(/\s+/).slice(1).map(Number)
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0)
  const busyTicks = total - (ticks[3] ?? 0) - (ticks[4] ?? 0)
  let pressureMicros: number | null = null
  try {
    const match = /^some .*total=(\d+)/m.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'))
    pressureMicros = match ? Number(match[1]) : null
  } catch {
    // no PSI on this kernel
  }
  return { busyTicks, pressureMicros, wallMs: nowMs() }
}
