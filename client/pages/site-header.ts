import { h } from '../dom.ts'
import { zoneSwitch } from '../time-display.ts'

/** The header of the non-pad pages, with the current page marked and the time zone switch. */
export function siteHeader(current: 'schedule' | 'archive' | 'organizer' | 'me'): HTMLElement {
  const link = (href: string, label: string, key: typeof current) => h('a', { href, ...(current === key ? { 'aria-current': 'page' } : {}) }, label)
  return h(
    'header',
    { class: 'site-header' },
    h('a', { class: 'brand', href: '/' }, 'summitpad'),
    h('span', { class: 'tagline' }, 'Design-summit sessions, written together'),
    h('nav', { class: 'site-nav', 'aria-label': 'Site' }, link('/', 'Schedule', 'schedule'), h('a', { href: '/board' }, 'Now and next'), link('/archive', 'Archive', 'archive'), link('/me', 'My summit', 'me'), link('/organizer', 'Organizers', 'organizer')),
    zoneSwitch(),
  )
}
