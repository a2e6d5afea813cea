/**
 * `/me/claim`: takes on an identity carried from another device (issue 20 part 4). The code comes
 * in the link's fragment (`#code=…`, never sent to the server in a URL) or is typed; once
 * redeemed, this browser writes as that person and sees their summit.
 */
import { ApiError } from '../api.ts'
import { h } from '../dom.ts'
import { meApi } from '../me-api.ts'
import { adoptIdentity } from '../sync/person-key.ts'
import { siteHeader } from './site-header.ts'

export function renderMeClaim(root: HTMLElement): void {
  document.title = 'Use my identity here · summitpad'
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('code') ?? ''
  // The code is single use: keep it out of the history once read.
  if (fromLink) history.replaceState(null, '', location.pathname)
  const input = h('input', { id: 'claim-code', name: 'code', maxlength: 12, autocomplete: 'off', autocapitalize: 'characters', placeholder: 'ABCD-EFGH', value: fromLink })
  const status = h('p', { class: 'form-status', role: 'status' })
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Use this identity here')
  const form = h(
    'form',
    { class: 'create-form me-claim' },
    h('label', { class: 'field', for: 'claim-code' }, h('span', { class: 'field-label' }, 'Transfer code'), input),
    h('p', { class: 'hint' }, 'Make the code under “My summit” on the device you came from. It works once, for ten minutes.'),
    submit,
    status,
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    submit.disabled = true
    status.classList.remove('error')
    try {
      const { identity, personKey } = await meApi.redeem(input.value)
      adoptIdentity(identity, personKey)
      status.replaceChildren(`This browser is now ${identity.name}. `, h('a', { href: '/me' }, 'Open My summit'))
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : `The code could not be used: ${(error as Error).message}`
      status.classList.add('error')
      submit.disabled = false
    }
  })
  root.replaceChildren(h('div', { class: 'archive-page' }, siteHeader('me'), h('main', { class: 'archive-main' }, h('h1', {}, 'Use my identity on this device'), form)))
}
