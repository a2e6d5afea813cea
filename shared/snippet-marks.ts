/**
 * The markers around the matched words in an archive search snippet (never HTML: the client builds
 * `<mark>`s). Apart from shared/api.ts so the server's snippet code loads without the API's zod
 * schemas (issue 21: a lean process).
 */
export const snippetStart = '\u0002'
export const snippetEnd = '\u0003'
