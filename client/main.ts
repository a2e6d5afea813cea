/** Client entry: picks the page for the current path. */
import './styles/app.css'
import { renderArchive } from './pages/archive.ts'
import { renderArchiveActions } from './pages/archive-actions.ts'
import { renderBoard } from './pages/board.ts'
import { renderHistory } from './pages/history.ts'
import { renderHome } from './pages/home.ts'
import { renderMe } from './pages/me.ts'
import { renderMeClaim } from './pages/me-claim.ts'
import { renderNotFound } from './pages/not-found.ts'
import { renderOrganizer, type OrganizerPage } from './pages/organizer.ts'
import { renderPad } from './pages/pad.ts'
import { renderProjector } from './pages/projector.ts'
import { renderSessionArchive } from './pages/session-archive.ts'

const app = document.getElementById('app')!
const path = location.pathname.replace(/\/+$/, '') || '/'
const organizerPages: Record<string, OrganizerPage> = { '/organizer': 'home', '/organizer/import': 'import', '/organizer/audit': 'audit', '/organizer/deliveries': 'deliveries' }
const padMatch = /^\/s\/([^/]+)$/.exec(path)
const projectorMatch = /^\/s\/([^/]+)\/projector$/.exec(path)
const archiveMatch = /^\/s\/([^/]+)\/archive$/.exec(path)
const historyMatch = /^\/s\/([^/]+)\/history$/.exec(path)

if (path === '/') {
  void renderHome(app)
} else if (path === '/board') {
  void renderBoard(app)
} else if (path === '/archive') {
  void renderArchive(app)
} else if (path === '/archive/actions') {
  void renderArchiveActions(app)
} else if (path === '/me') {
  void renderMe(app)
} else if (path === '/me/claim') {
  renderMeClaim(app)
} else if (organizerPages[path]) {
  void renderOrganizer(app, organizerPages[path])
} else if (historyMatch) {
  void renderHistory(app, decodeURIComponent(historyMatch[1]!))
} else if (archiveMatch) {
  void renderSessionArchive(app, decodeURIComponent(archiveMatch[1]!))
} else if (padMatch) {
  void renderPad(app, decodeURIComponent(padMatch[1]!))
} else if (projectorMatch) {
  void renderProjector(app, decodeURIComponent(projectorMatch[1]!))
} else {
  renderNotFound(app, `There is no page at ${path}.`)
}
