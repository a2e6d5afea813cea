/** The headers every answer of the main port carries (the express app's and the health check's). */

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export const securityHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  // Scripts only from this origin; inline styles are allowed because the editor's decorations
  // (cursors, authorship tints) set style attributes; images include the projector's QR code (a
  // data: URL).
  'Content-Security-Policy': contentSecurityPolicy,
}
