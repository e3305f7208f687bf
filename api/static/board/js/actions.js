// A supervisor's actions: solve (progress polled live), cancel, compare a draft with the
// published version, publish. Each reports through `board.say` and reloads what it changed.
import { ApiError } from "./api.js";
import { button } from "./dom.js";
import { isLive, POLL_MS, progressText } from "./job.js";

/** Build the action bar into `root`; `board` is the page's context (see main.js). */
export function mountActions(root, board) {
  const limit = document.createElement("input");
  Object.assign(limit, { id: "time-limit", type: "number", min: "1", step: "1", placeholder: "week's" });
  const limitLabel = document.createElement("label");
  limitLabel.append("time limit (s) ", limit);
  const progress = document.createElement("output");
  progress.id = "job";
  const summary = document.createElement("output");
  summary.id = "compare-summary";
  let timer = null;

  async function poll(jobId) {
    let job;
    try {
      job = await board.api.get(`/jobs/${jobId}`);
    } catch (err) {
      board.say(`polling job ${jobId}: ${err.message}`, "error");
      return;
    }
    progress.textContent = progressText(job);
    progress.dataset.state = job.state;
    cancel.hidden = !isLive(job);
    if (!cancel.hidden) {
      timer = setTimeout(() => poll(jobId), POLL_MS);
      return;
    }
    solve.disabled = false;
    if (job.state === "succeeded" && job.version_id) await board.showVersion(job.version_id);
  }

  const solve = button("Solve", "solve", async () => {
    const body = limit.value ? { time_limit_seconds: Number(limit.value) } : {};
    try {
      const job = await board.api.post(`/weeks/${board.state.week.id}/jobs`, body);
      solve.disabled = true;
      board.say(`solving week ${board.state.week.id} (job ${job.id})`, "info");
      clearTimeout(timer);
      await poll(job.id);
    } catch (err) {
      board.say(`solve not started: ${err.message}`, "error");
    }
  });

  const cancel = button("Cancel", "cancel", async () => {
    const id = Number(progress.textContent.match(/job (\d+)/)[1]);
    try {
      await board.api.post(`/jobs/${id}/cancel`);
    } catch (err) {
      board.say(`cancel: ${err.message}`, "error");
    }
  });
  cancel.hidden = true;

  const compare = button("Compare with published", "compare", async () => {
    const { week, version } = board.state;
    try {
      const result = await board.api.get(`/versions/${week.published_version_id}/compare/${version.id}`);
      board.state.comparison = result;
      const count = (k) => result.changes.reduce((s, c) => s + c[k].length, 0);
      summary.textContent = `${result.advisers_changed} advisers changed: ${count("added")} shifts ` +
        `added, ${count("removed")} removed, ${count("changed")} with other blocks (highlighted)`;
      board.render();
    } catch (err) {
      board.say(`compare: ${err.message}`, "error");
    }
  });

  const publish = button("Publish", "publish", async () => {
    const { week, version } = board.state;
    try {
      const done = await board.api.post(`/versions/${version.id}/publish`, {
        expected_revision: week.revision,
      });
      board.say(`version ${done.number} published`, "info");
      await board.reloadWeek(done.id);
    } catch (err) {
      // a conflict is a normal outcome (someone published first): say it plainly
      const conflict = err instanceof ApiError && err.status === 409;
      board.say(conflict ? `not published (409 conflict): ${err.message}. Reload the week and try again.`
        : `publish: ${err.message}`, "error");
    }
  });

  root.replaceChildren(solve, limitLabel, cancel, progress, compare, publish, summary);

  return {
    /** Enable what applies to the version on show; resume watching a job already running. */
    update(state) {
      const draft = state.version && state.version.state === "draft";
      compare.disabled = !(draft && state.week.published_version_id);
      publish.disabled = !draft;
      if (!state.comparison) summary.textContent = "";
    },
    watch(jobId) {
      clearTimeout(timer);
      solve.disabled = true;
      poll(jobId);
    },
  };
}
