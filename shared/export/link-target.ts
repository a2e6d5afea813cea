/**
 * Which link targets an export may carry. Link marks arrive from any peer, so every exporter
 * judges a target as a browser would read it before writing it out.
 */
import { safeHref } from '../schema.ts'

/**
 * `safeHref` of `href` as a browser would read it: URL parsing removes tabs and newlines anywhere
 * and strips control characters at the ends, so `java\tscript:` is a `javascript:` URL. Returns
 * `#` for a target that is not http(s), mailto or relative.
 */
export function linkTarget(href: string): string {
  // eslint-disable-next-line no-control-regex -- reason: stripping control characters is the point
  return safeHref(href.replace(/[\t\n\r]/g, '').replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, ''))
}

/** True when an export may link to `href` (see `linkTarget`); `#` itself is harmless. */
export function isSafeLinkTarget(href: string): boolean {
  return linkTarget(href) !== '#' || href.trim() === '#'
}
