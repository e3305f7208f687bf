// The crisis cell's view (issue 6): the week's incidents and, for the one chosen, its surge plan:
// progress, shortfall without and with the surge, changes, managers on duty, outsourcers booked,
// ranked invitations and the answers.
import { ApiError } from "./api.js";
import { button, el } from "./dom.js";
import { isLive, POLL_MS, progressText } from "./job.js";
import { hours } from "./quality.js";
import { formatInstant, formatSpan, viewerZone } from "./time.js";

const ANSWERS = [["accepted", "accepted"], ["declined", "declined"], ["no_answer", "no answer"]];
const SAID = Object.fromEntries(ANSWERS);
// report windows counted from the incident's start, as the API names them
const REPORTS = [["", "whole incident"], ["H+6", "H+6 (first 6 hours)"], ["D+2", "D+2 (first 2 days)"]];

function table(cls, headings, rows) {
  const node = el("table", cls);
  const head = el("tr");
  for (const h of headings) head.append(el("th", "", h));
  const body = el("tbody");
  body.append(...rows);
  node.append(el("thead"), body);
  node.tHead.append(head);
  return node;
}

function row(cells) {
  const tr = el("tr");
  for (const c of cells) tr.append(c instanceof Node ? c : el("td", "", c));
  return tr;
}

function labelled(text, control) {
  const label = el("label", "", `${text} `);
  label.append(control);
  return label;
}

// The board's clock for incident times: the reference zone, the viewer's, or for an
// invitation its adviser's team zone (an incident itself has no adviser: the reference then).
function zoneFor(state, team) {
  if (state.zone === "viewer") return viewerZone();
  if (state.zone === "adviser" && team) {
    const own = state.teams.find((t) => t.name === team);
    if (own) return own.timezone;
  }
  return state.week.timezone;
}

const channelName = (state, name) => (state.channels.find((c) => c.name === name) || {}).label || name;

function answersText(responses) {
  const counts = {};
  for (const a of Object.values(responses)) counts[a] = (counts[a] || 0) + 1;
  const parts = ANSWERS.filter(([k]) => counts[k]).map(([k, text]) => `${counts[k]} ${text}`);
  return parts.length ? parts.join(", ") : "none yet";
}

function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** Build the crisis panel into `root`; `board` is the page's context (see main.js). */
export function mountCrisis(root, board) {
  const acts = board.state.me.role === "crisis"; // supervisors read: the API lets only the cell act
  const local = { weekId: null, incidents: [], incidentId: null, plan: null, report: null, timer: null };
  const incident = () => local.incidents.find((i) => i.id === local.incidentId) || null;
  const base = () => `/incidents/${local.incidentId}`;
  const fail = (what) => (err) => board.say(`${what}: ${err.message}`, "error");

  const list = el("div", "incidents");
  list.id = "incidents";
  const detail = el("div", "incident");
  detail.id = "incident";

  // the report: the published roster against the incident's demand, over a window
  const reportWindow = el("select");
  reportWindow.id = "report-window";
  reportWindow.append(...REPORTS.map(([value, text]) => new Option(text, value)));
  reportWindow.addEventListener("change", () => loadReport().catch(fail("report")));
  const reportCsv = button("Report CSV", "report-csv", () => {
    const at = reportWindow.value;
    const query = at ? `&at=${encodeURIComponent(at)}` : "";
    download(`${base()}/report?format=csv${query}`,
      `incident-${local.incidentId}-report${at ? `-${at.replace("+", "")}` : ""}.csv`)
      .catch(fail("report"));
  });
  const reportHours = el("output");
  reportHours.id = "report-hours";
  const reportBar = el("div", "bar");
  reportBar.append(labelled("Report on the published roster:", reportWindow), reportCsv, reportHours);

  // the plan: which one, and for the cell plan again, cancel, publish
  const planSelect = el("select");
  planSelect.id = "surge-plan";
  planSelect.addEventListener("change", () => {
    stop();
    loadPlan(Number(planSelect.value)).catch(fail("plan"));
  });
  const planLabel = labelled("Plan", planSelect);
  const limit = el("input");
  Object.assign(limit, { id: "surge-time-limit", type: "number", min: "1", step: "1", placeholder: "week's" });
  const planButton = button("Plan the surge", "plan-surge", () => startPlan());
  const cancel = button("Cancel", "cancel-surge", () => {
    board.api.post(`${base()}/plans/${local.plan.number}/cancel`).catch(fail("cancel"));
  });
  const publish = button("Publish plan", "publish-plan", () => publishPlan());
  const show = button("Show on timeline", "show-plan", () => showPlan().catch(fail("show plan")));
  const invitationsCsv = button("Invitations CSV", "invitations-csv", () => {
    const n = local.plan.number;
    download(`${base()}/plans/${n}/invitations?format=csv`,
      `incident-${local.incidentId}-plan-${n}-invitations.csv`).catch(fail("invitations"));
  });
  const planBar = el("div", "bar");
  planBar.append(planLabel);
  if (acts) planBar.append(labelled("time limit (s)", limit), planButton, cancel, publish);
  planBar.append(show, invitationsCsv);

  const progress = el("output");
  progress.id = "surge-job";
  const summary = el("div", "summary");
  summary.id = "surge-summary";
  const violations = el("div", "violations");
  violations.id = "surge-violations";
  violations.setAttribute("role", "alert");
  const invitations = el("div");
  invitations.id = "invitations";
  detail.append(reportBar, planBar, progress, violations, summary, invitations);
  root.replaceChildren(list, detail);

  // ---- loading ----

  async function loadIncidents() {
    const weekId = board.state.week.id;
    const items = await board.api.get(`/weeks/${weekId}/incidents`);
    if (board.state.week.id !== weekId) return; // another week was chosen meanwhile
    local.incidents = items;
    await choose(incident() ? local.incidentId : items.length ? items.at(-1).id : null);
  }

  async function choose(id) {
    stop();
    Object.assign(local, { incidentId: id, plan: null, report: null });
    draw();
    if (id == null) return;
    await Promise.all([loadPlan(null), loadReport()]);
  }

  async function loadPlan(number) {
    const id = local.incidentId;
    const known = incident();
    if (!known || !known.plans) return;
    const plan = await board.api.get(`/incidents/${id}/plans/${number ?? "latest"}`);
    if (local.incidentId !== id) return;
    local.plan = plan;
    draw();
    if (isLive(plan.job)) watch();
  }

  async function loadReport() {
    const id = local.incidentId;
    const at = reportWindow.value;
    try {
      const report = await board.api.get(`/incidents/${id}/report${at ? `?at=${encodeURIComponent(at)}` : ""}`);
      if (local.incidentId === id) local.report = report;
    } catch (err) {
      if (local.incidentId === id) local.report = { error: err.message };
    }
    draw();
  }

  // Read the incident again (answers, plan count) and, unless `number` is undefined, a plan.
  async function refresh(number) {
    const id = local.incidentId;
    const [known, plan] = await Promise.all([
      board.api.get(`/incidents/${id}`),
      number === undefined ? null : board.api.get(`/incidents/${id}/plans/${number ?? "latest"}`),
    ]);
    if (local.incidentId !== id) return;
    local.incidents = local.incidents.map((i) => (i.id === id ? known : i));
    if (plan) local.plan = plan;
    draw();
  }

  function stop() {
    clearTimeout(local.timer);
    local.timer = null;
  }

  // Poll the plan's job; once it has ended, read the plan again for its result.
  async function watch() {
    stop();
    const plan = local.plan;
    let job;
    try {
      job = await board.api.get(`/jobs/${plan.job.id}`);
    } catch (err) {
      board.say(`polling job ${plan.job.id}: ${err.message}`, "error");
      return;
    }
    if (local.plan !== plan) return; // another plan or incident was chosen meanwhile
    if (isLive(job)) {
      plan.job = job;
      showProgress();
      local.timer = setTimeout(watch, POLL_MS);
      return;
    }
    await refresh(plan.number);
    if (job.state === "succeeded") board.say(`plan ${plan.number} of ${incident().name} is ready`, "info");
    else board.say(`plan ${plan.number}: ${job.state}${job.message ? ` (${job.message})` : ""}`, "error");
  }

  // ---- actions ----

  async function startPlan() {
    const body = limit.value ? { time_limit_seconds: Number(limit.value) } : {};
    try {
      const plan = await board.api.post(`${base()}/plans`, body);
      board.say(`planning the surge of ${incident().name}: plan ${plan.number} (job ${plan.job.id})`, "info");
      local.plan = plan;
      await refresh();
      watch();
    } catch (err) {
      board.say(`plan not started: ${err.message}`, "error");
    }
  }

  async function publishPlan() {
    const { number } = local.plan;
    try {
      // no revision sent: the API expects the one the plan was made on, so a roster published
      // since is never replaced by a plan that did not see it
      const version = await board.api.post(`${base()}/plans/${number}/publish`);
      board.say(`plan ${number} published: version ${version.number} is the week's roster`, "info");
      await board.reloadWeek(version.id);
      await loadReport();
    } catch (err) {
      const conflict = err instanceof ApiError && err.status === 409;
      board.say(conflict ? `plan ${number} not published (409 conflict): ${err.message}. ` +
        "Plan the surge again on the roster as published now." : `publish: ${err.message}`, "error");
    }
  }

  async function answer(adviserId, value) {
    try {
      await board.api.put(`${base()}/responses/${encodeURIComponent(adviserId)}`, { answer: value });
      await refresh();
      board.say(`${adviserId}: ${SAID[value]} recorded` +
        (value === "accepted" ? "" : "; the next plan leaves them out"), "info");
    } catch (err) {
      board.say(`answer of ${adviserId}: ${err.message}`, "error");
    }
  }

  async function showPlan() {
    const { version_id: draft, base_version_id: from } = local.plan;
    await board.showVersion(draft);
    board.state.comparison = await board.api.get(`/versions/${from}/compare/${draft}`);
    board.render();
  }

  async function download(path, filename) {
    const blob = await board.api.blob(path);
    const url = URL.createObjectURL(blob);
    const link = el("a");
    Object.assign(link, { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  // ---- drawing ----

  function drawList(state) {
    if (!local.incidents.length) {
      list.replaceChildren(el("p", "", "No incident this week." +
        (acts ? " The crisis cell creates one through the API: POST /weeks/{id}/incidents." : "")));
      return;
    }
    const zone = zoneFor(state, null);
    const rows = local.incidents.map((i) => {
      const open = button(i.name, null, () => choose(i.id).catch(fail("incident")));
      open.className = "link";
      const name = el("td");
      name.append(open);
      const factors = Object.entries(i.factors)
        .map(([c, f]) => `${channelName(state, c)} ×${f}`).join(", ");
      const tr = row([name, formatSpan(i.incident.start, i.incident.end, zone), factors || "–",
        formatInstant(i.earliest_call_up, zone), answersText(i.responses), i.plans]);
      tr.dataset.incident = i.id;
      if (i.id === local.incidentId) tr.className = "selected";
      return tr;
    });
    const caption = el("caption", "", `times on ${zone}`);
    const node = table("incidents", ["Incident", "Window", "Demand factors", "Earliest call-up",
      "Answers", "Plans"], rows);
    node.prepend(caption);
    list.replaceChildren(node);
  }

  function drawBars(state, known) {
    const plan = local.plan;
    const numbers = Array.from({ length: known.plans }, (_, k) => k + 1).reverse();
    planSelect.replaceChildren(...numbers.map((n) =>
      new Option(n === known.plans ? `${n} (latest)` : String(n), n, false, plan && plan.number === n)));
    planLabel.hidden = !known.plans;
    const live = Boolean(plan && isLive(plan.job));
    planButton.disabled = live;
    cancel.hidden = !live;
    const ready = Boolean(plan && plan.job.state === "succeeded" && plan.version_id);
    publish.disabled = !ready || plan.version_id === state.week.published_version_id;
    show.disabled = !ready;
    invitationsCsv.disabled = !(plan && plan.result);
    const report = local.report;
    if (!report) reportHours.textContent = "…";
    else if (report.error) reportHours.textContent = report.error;
    else {
      const zone = zoneFor(state, null);
      const totals = Object.entries(report.hours).map(([c, h]) => `${channelName(state, c)}: demand ` +
        `${hours(h.demand)}, staffed ${hours(h.staffed)}, short ${hours(h.shortfall)}`);
      reportHours.textContent = `${formatSpan(report.from, report.to, zone)} · ` +
        (totals.length ? totals.join(" · ") : "no demand in the window");
    }
  }

  function showProgress() {
    const plan = local.plan;
    progress.hidden = !plan;
    progress.textContent = plan ? `plan ${plan.number} · ${progressText(plan.job)}` : "";
    progress.dataset.state = plan ? plan.job.state : "";
  }

  function versionName(state, id) {
    const v = state.versions.find((x) => x.id === id);
    return v ? `v${v.number} (${v.state})` : `version id ${id}`;
  }

  function drawSummary(state, known) {
    const plan = local.plan;
    const r = plan && plan.result;
    violations.hidden = !(r && r.violations.length);
    violations.replaceChildren();
    if (!plan) {
      summary.replaceChildren(el("p", "", acts ? "No plan yet: plan the surge." : "No plan yet."));
      return;
    }
    if (!r) {
      const lines = [`plan ${plan.number}: no result ${isLive(plan.job) ? "yet" : `(job ${plan.job.state})`}`];
      if (plan.job.message) lines.push(plan.job.message);
      summary.replaceChildren(...[...lines, ...plan.job.diagnosis].map((t) => el("p", "", t)));
      return;
    }
    if (r.violations.length) {
      violations.append(el("strong", "", `${count(r.violations.length, "rule violation")}: ` +
        "this plan breaks hard rules and should not be published"));
      const items = el("ul");
      items.append(...r.violations.map((v) => el("li", "", v)));
      violations.append(items);
    }
    const quality = [r.status];
    if (r.gap != null) quality.push(`gap ${(100 * r.gap).toFixed(1)}% to the bound`);
    quality.push(`planned in ${r.seconds} s on ${versionName(state, plan.base_version_id)}`);
    quality.push(`draft ${versionName(state, plan.version_id)}`);
    quality.push(r.violations.length ? `${count(r.violations.length, "rule")} broken` : "no rule broken");
    const channels = [...new Set([...Object.keys(r.shortfall_hours_without_surge),
      ...Object.keys(r.shortfall_hours_with_surge)])];
    const shortfall = table("shortfall", ["Shortfall", "without the surge", "with the surge"],
      channels.map((c) => {
        const tr = row([channelName(state, c), hours(r.shortfall_hours_without_surge[c] || 0),
          hours(r.shortfall_hours_with_surge[c] || 0)]);
        tr.dataset.channel = c;
        return tr;
      }));
    const ch = r.changes;
    const changes = el("p", "changes", `Changes: ${count(ch.call_ups, "call-up")}, ` +
      `${count(ch.extensions, "extension")}, ${count(ch.moves, "move")}, ` +
      `${count(ch.channel_changes, "channel change")}. Invitations: ${r.invitations.length} ` +
      `(${r.invitations_wanted} wanted at an acceptance rate of ${Math.round(100 * r.acceptance_rate)}%).`);
    const parts = [el("p", "quality", quality.join(" · ")), shortfall, changes];
    if (plan.declined.length) {
      const answered = known.responses;
      parts.push(el("p", "", "Left out of this plan: " + plan.declined
        .map((a) => `${a}${answered[a] ? ` (${SAID[answered[a]]})` : ""}`).join(", ")));
    }
    summary.replaceChildren(...parts, ...drawPools(state, known, r));
  }

  // The answer recorded for a person and, for the crisis role, buttons to record one.
  function answerCells(tr, person, said) {
    tr.append(el("td", "answer", said ? SAID[said] : "–"));
    if (!acts) return;
    const record = el("td", "record");
    for (const [value, text] of ANSWERS) {
      const b = button(text, null, () => answer(person, value));
      b.dataset.answer = value;
      b.setAttribute("aria-pressed", String(said === value));
      record.append(b);
    }
    tr.append(record);
  }

  // Managers on duty for the ratio (with their answers) and outsourcers' advisers booked.
  function drawPools(state, known, r) {
    const parts = [];
    const duties = r.manager_duties || [];
    if (duties.length || r.manager_hours_missing) {
      const ratio = `one on duty for every ${r.advisers_per_manager} advisers working`;
      const held = r.manager_hours_missing
        ? `${hours(r.manager_hours_missing)} manager-hours short of that`
        : "the ratio holds throughout";
      parts.push(el("p", "managers", `Managers: ${count(duties.length, "duty", "duties")}, ${ratio}; ${held}.`));
    }
    if (duties.length) {
      const headings = ["Manager", "Name", "When", "Hours", "Answer"];
      parts.push(table("duties", acts ? [...headings, "Record the answer"] : headings, duties.map((d) => {
        const tr = row([d.manager_id, d.name, formatSpan(d.start, d.end, zoneFor(state, d.team)), hours(d.hours)]);
        answerCells(tr, d.manager_id, known.responses[d.manager_id]);
        tr.dataset.manager = d.manager_id;
        return tr;
      })));
    }
    const booked = r.external || [];
    if (booked.length) {
      parts.push(table("external", ["Outsourcer", "Channel", "Advisers", "When"], booked.map((b) =>
        row([b.pool, channelName(state, b.channel), b.advisers, formatSpan(b.start, b.end, zoneFor(state))]))));
    }
    return parts;
  }

  function drawInvitations(state, known) {
    const r = local.plan && local.plan.result;
    if (!r) {
      invitations.replaceChildren();
      return;
    }
    if (!r.invitations.length) {
      invitations.replaceChildren(el("p", "", "No one to invite: the plan calls no volunteer."));
      return;
    }
    const rows = r.invitations.map((i) => {
      const said = known.responses[i.adviser_id];
      const cells = [i.rank, i.role, i.adviser_id, i.name,
        formatSpan(i.start, i.end, zoneFor(state, i.team)),
        i.channels.map((c) => channelName(state, c)).join(" / "), hours(i.useful_hours)];
      const tr = row(cells);
      answerCells(tr, i.adviser_id, said);
      Object.assign(tr.dataset, { adviser: i.adviser_id, rank: i.rank, role: i.role });
      tr.className = i.role;
      return tr;
    });
    const headings = ["Rank", "Role", "Adviser", "Name", "When", "Channels", "Useful", "Answer"];
    invitations.replaceChildren(table("invitations", acts ? [...headings, "Record the answer"] : headings, rows));
  }

  function draw() {
    const state = board.state;
    if (!state.week) return;
    drawList(state);
    const known = incident();
    detail.hidden = !known;
    if (!known) return;
    drawBars(state, known);
    showProgress();
    drawSummary(state, known);
    drawInvitations(state, known);
  }

  return {
    /** Read the week's incidents when the week changes; draw again on the clock chosen. */
    update(state) {
      if (!state.week) return;
      if (state.week.id === local.weekId) {
        draw();
        return;
      }
      local.weekId = state.week.id;
      local.incidentId = null;
      stop();
      loadIncidents().catch(fail("incidents"));
    },
  };
}
