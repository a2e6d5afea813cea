/**
 * SessionService: creating, reading and listing design sessions. Creating one stores its metadata
 * and then seeds its pad with the template, so a session that exists always has a pad.
 */
import type { CreateSessionBody, Session } from '../../shared/api.ts'
import { createSessionBody } from '../../shared/api.ts'
import { randomSessionId } from '../../shared/doc-name.ts'
import { AppError } from '../../shared/errors.ts'
import type { DocStore } from '../storage/doc-store.ts'
import type { MetaStore, SessionFilter } from '../storage/meta-store.ts'
import { encodePadSeed } from './pad-seed.ts'

export class SessionService {
  constructor(
    private readonly meta: MetaStore,
    private readonly docs: DocStore,
  ) {}

  /** Validates `input`, stores the session, seeds its pad. Throws AppError('invalid_body'). */
  async create(input: unknown): Promise<Session> {
    const parsed = createSessionBody.safeParse(input)
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }))
      const first = details[0]
      throw new AppError('invalid_body', first ? `${first.path || 'body'}: ${first.message}` : 'invalid body', details)
    }
    const body = parsed.data
    const fields = {
      title: body.title,
      track: body.track,
      room: body.room,
      moderator: body.moderator,
      scheduledStart: body.scheduledStart === null ? null : new Date(body.scheduledStart).toISOString(),
      durationMinutes: body.durationMinutes,
    }
    const session = await this.createWithFreshId(fields)
    await this.docs.append(session.id, encodePadSeed({ description: body.description }))
    return session
  }

  /** The session, or null when `id` is unknown. */
  get(id: string): Promise<Session | null> {
    return this.meta.getSession(id)
  }

  /** The session; throws AppError('session_not_found') when `id` is unknown. */
  async require(id: string): Promise<Session> {
    const session = await this.meta.getSession(id)
    if (!session) throw new AppError('session_not_found', `no session with id "${id}"`)
    return session
  }

  list(filter?: SessionFilter): Promise<Session[]> {
    return this.meta.listSessions(filter)
  }

  private async createWithFreshId(fields: Omit<Session, 'id' | 'state' | 'createdAt' | 'updatedAt'>): Promise<Session> {
    // Ten characters from a 31-letter alphabet collide rarely; retry the rare collision.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.meta.createSession({ id: randomSessionId(), ...fields })
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'conflict') || attempt >= 4) throw error
      }
    }
  }
}

export type { CreateSessionBody }
