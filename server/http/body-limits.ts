/** Body limits of the API's requests (the parsers in api-router.ts; app.ts names them in errors). */

/** Largest JSON body the API accepts. */
export const maxJsonBytes = 256 * 1024
/** Largest `POST /api/sessions` body (it may carry an agenda file). */
export const maxCreateBytes = 1536 * 1024
/** Largest `POST /api/schedule/import` body. */
export const maxScheduleBytes = 5 * 1024 * 1024
