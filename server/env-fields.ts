/**
 * The few kinds of environment variable the configuration is made of (whole numbers in a range,
 * strings with bounds or a pattern, one of a list, URLs of given schemes), each a function from
 * the variable's text to its value or a problem. Hand-written rather than zod, which the rest of
 * the API validates with: zod costs the server about 5 MB of its idle memory, and the server
 * parses its configuration at every start (issue 21, item 4: a lean process). Pure.
 */

/** A value, or the problem (one line) with the variable's text. */
export type FieldResult<T> = { value: T } | { problem: string }

/** Reads one variable: `text` is undefined when it is not set. */
export type Field<T> = (text: string | undefined) => FieldResult<T>

/** The value a Field gives. */
export type FieldValue<F> = F extends Field<infer T> ? T : never

const ok = <T>(value: T): FieldResult<T> => ({ value })
const problem = (message: string): FieldResult<never> => ({ problem: message })

/** A whole number within [min, max] (written as JavaScript's `Number` reads it, e.g. `3000`, `1e3`). */
export function int(min: number, max: number): Field<number | undefined> {
  return numberIn(min, max, true)
}

/** A number within [min, max]. */
export function number(min: number, max: number): Field<number | undefined> {
  return numberIn(min, max, false)
}

function numberIn(min: number, max: number, whole: boolean): Field<number | undefined> {
  return (text) => {
    if (text === undefined) return ok(undefined)
    const value = text.trim() === '' ? Number.NaN : Number(text)
    if (!Number.isFinite(value)) return problem(`expected a number, got "${clip(text)}"`)
    if (whole && !Number.isInteger(value)) return problem('expected a whole number')
    if (value < min) return problem(`must be at least ${min}`)
    if (value > max) return problem(`must be at most ${max}`)
    return ok(value)
  }
}

export interface StringRules {
  min?: number
  max?: number
  pattern?: RegExp
  /** The problem when `pattern` or `test` does not match. */
  message?: string
  /** The problem when the string is shorter than `min`. */
  minMessage?: string
  test?: (value: string) => boolean
}

/** A string of `min` to `max` characters matching `pattern` and `test` when given. */
export function string(rules: StringRules = {}): Field<string | undefined> {
  return (text) => {
    if (text === undefined) return ok(undefined)
    if (rules.min !== undefined && text.length < rules.min) return problem(rules.minMessage ?? `must have at least ${rules.min} character${rules.min === 1 ? '' : 's'}`)
    if (rules.max !== undefined && text.length > rules.max) return problem(`must have at most ${rules.max} characters`)
    if ((rules.pattern && !rules.pattern.test(text)) || (rules.test && !rules.test(text))) return problem(rules.message ?? 'has an invalid format')
    return ok(text)
  }
}

/** One of `options`, exactly. */
export function oneOf<const O extends string>(options: readonly O[]): Field<O | undefined> {
  return (text) => {
    if (text === undefined) return ok(undefined)
    return (options as readonly string[]).includes(text) ? ok(text as O) : problem(`expected one of ${options.map((option) => `"${option}"`).join(', ')}, got "${clip(text)}"`)
  }
}

/** An absolute URL whose scheme (without the colon) is one of `schemes`. */
export function url(schemes: readonly string[]): Field<string | undefined> {
  return (text) => {
    if (text === undefined) return ok(undefined)
    let parsed: URL
    try {
      parsed = new URL(text)
    } catch {
      return problem('expected a URL')
    }
    if (!schemes.includes(parsed.protocol.slice(0, -1))) return problem(`expected a URL starting with ${schemes.map((scheme) => `${scheme}://`).join(' or ')}`)
    return ok(text)
  }
}

/** `field`, with `fallback` when the variable is not set. */
export function withDefault<T>(field: Field<T | undefined>, fallback: T): Field<T> {
  return (text) => {
    const result = field(text)
    return 'problem' in result || result.value !== undefined ? (result as FieldResult<T>) : ok(fallback)
  }
}

/** A variable read by `parse`, which throws an Error whose message is the problem. */
export function custom<T>(parse: (text: string | undefined) => T): Field<T> {
  return (text) => {
    try {
      return ok(parse(text))
    } catch (error) {
      return problem((error as Error).message)
    }
  }
}

/**
 * Reads every variable of `fields` from `env`: the values, or one line per bad variable
 * (`NAME: problem`).
 */
export function readFields<S extends Record<string, Field<unknown>>>(fields: S, env: Record<string, string | undefined>): { values: { [K in keyof S]: FieldValue<S[K]> } } | { problems: string[] } {
  const values: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [name, field] of Object.entries(fields)) {
    const result = field(env[name])
    if ('problem' in result) problems.push(`${name}: ${result.problem}`)
    else values[name] = result.value
  }
  return problems.length > 0 ? { problems } : { values: values as { [K in keyof S]: FieldValue<S[K]> } }
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}
