/**
 * Worker thread of the "My summit" report (`shared/my-summit.ts`): a person's sessions, decisions
 * and action items as Markdown or HTML.
 */
import { reportHtml, reportMarkdown, type ReportFormat, type ReportSource } from '../../shared/my-summit.ts'
import { serveJobs } from './serve-jobs.ts'

/** One report job. */
export interface ReportJob {
  format: ReportFormat
  source: ReportSource
}

serveJobs<ReportJob, string>(({ format, source }) => ({ value: format === 'md' ? reportMarkdown(source) : reportHtml(source) }))
