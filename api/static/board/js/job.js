// A job's progress in one line, shared by the week's solves and the crisis cell's surge plans.

/** How often a running job is read again, in milliseconds. */
export const POLL_MS = 500;

/** Whether a job may still change (its progress is worth polling). */
export const isLive = (job) => ["queued", "running"].includes(job.state);

const figure = (v, f) => (v == null ? "–" : f(v));

/** "job 7 running · best 1200 · bound 900 · gap 25.0% · 3.2 s", and the message of a failure. */
export function progressText(job) {
  return `job ${job.id} ${job.state}` +
    ` · best ${figure(job.objective, Math.round)}` +
    ` · bound ${figure(job.bound, Math.round)}` +
    ` · gap ${figure(job.gap, (g) => `${(100 * g).toFixed(1)}%`)}` +
    ` · ${figure(job.elapsed_seconds, (s) => `${s.toFixed(1)} s`)}` +
    (job.message ? ` · ${job.message}` : "");
}
