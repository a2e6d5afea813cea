/**
 * The pad's follow-up panel (issue 20 part 3): the session this one continues and the ones
 * continuing it, and for the moderator of a session that has not started, the control that marks
 * it as continuing an earlier session (whose open action items then come into this pad).
 */
import type { Session, SessionView } from '../../shared/api.ts'
import { api, ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { followsApi } from '../me-api.ts'

const sessionLink = (s: Session) => h('a', { href: s.state === 'ended' ? `/s/${s.id}/archive` : `/s/${s.id}` }, s.title)

export function followUpPanel(session: SessionView, moderatorKey: string | null): HTMLElement {
  const around = h('div', { class: 'follow-around' })
  const status = h('p', { class: 'form-status', role: 'status' })
  const panel = h('div', { class: 'follow-up-panel' }, around)

  const show = async () => {
    const { before, after } = await followsApi.neighbours(session.id)
    around.replaceChildren(
      before ? h('p', {}, 'Continues ', sessionLink(before)) : h('p', { class: 'hint' }, 'Does not continue an earlier session.'),
      ...after.map((later) => h('p', {}, 'Continued in ', sessionLink(later))),
    )
  }
  void show().catch(() => around.replaceChildren(h('p', { class: 'hint' }, 'Follow-ups could not be loaded.')))

  if (moderatorKey && session.state === 'scheduled') {
    const select = h('select', { id: 'follows-select', name: 'follows' }, h('option', { value: '' }, 'Loading…'))
    const submit = h('button', { type: 'submit' }, 'Link as follow-up')
    const form = h(
      'form',
      { class: 'follow-form' },
      h('label', { class: 'field', for: 'follows-select' }, h('span', { class: 'field-label' }, 'Continues the session'), select),
      h('p', { class: 'hint' }, 'Its open action items come into this pad (now if it has ended, else when it ends).'),
      submit,
      status,
    )
    void api.listSessions().then((sessions) =>
      select.replaceChildren(h('option', { value: '' }, 'Choose the earlier session'), ...sessions.filter((s) => s.id !== session.id).map((s) => h('option', { value: s.id }, [s.track, s.title].filter(Boolean).join(' · ')))),
    )
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      if (!select.value) return
      submit.disabled = true
      try {
        const { carried } = await followsApi.link(session.id, select.value, moderatorKey)
        status.textContent = carried > 0 ? `Linked; ${carried} open action item${carried === 1 ? '' : 's'} carried into this pad.` : 'Linked.'
        await show()
      } catch (error) {
        status.textContent = error instanceof ApiError ? error.message : (error as Error).message
      } finally {
        submit.disabled = false
      }
    })
    panel.append(form)
  }
  return panel
}
