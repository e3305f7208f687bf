// The board: signs in with a bearer token, loads a week and a version through the REST API and
// hands them to the panels. The only global is `window.rosterBoard`, for debugging in a console.
import { ApiError, client } from "./api.js";
import { mountActions } from "./actions.js";
import { renderCoverage } from "./coverage.js";
import { mountCrisis } from "./crisis.js";
import { qualityLine } from "./quality.js";
import { DAY, dayOf, formatDay, viewerZone, wallMinutes } from "./time.js";
import { renderTimeline } from "./timeline.js";

const TOKEN_KEY = "roster.token";
const PALETTE = ["#2b7bb9", "#e07b1f", "#2e9e4f", "#8e5bb5", "#c2477a", "#1aa3a3", "#a08a20", "#6b6b6b"];
const READERS = ["supervisor", "crisis"];
const $ = (selector) => document.querySelector(selector);

const state = {
  me: null, channels: [], teams: [], advisers: [], weeks: [], week: null, versions: [],
  version: null, shifts: [], coverage: null, quality: null, comparison: null,
  zone: "reference", view: "week", day: null,
};

// The panels, top to bottom: {id, title, roles, mount(section, board) -> {update(state)}}.
// The crisis panel (issue 6: incidents and their surge plans) is the cell's to act on and the
// supervisors' to read; advisers never see it.
const PANELS = [
  { id: "quality", title: "Quality", roles: READERS, mount: (section) => ({
    update: (s) => { section.querySelector(".body").textContent = s.quality ? qualityLine(s.quality) : "–"; },
  }) },
  { id: "actions", title: "Actions", roles: ["supervisor"], mount: (section, board) =>
    mountActions(section.querySelector(".body"), board) },
  { id: "crisis", title: "Crisis cell", roles: ["crisis", "supervisor"], mount: (section, board) =>
    mountCrisis(section.querySelector(".body"), board) },
  { id: "timeline", title: "Timeline", roles: [...READERS, "adviser"], mount: (section) => ({
    update: (s) => renderTimeline(section.querySelector(".body"), timelineView(s)),
  }) },
  { id: "coverage", title: "Coverage", roles: READERS, mount: (section) => ({
    update: (s) => renderCoverage(section.querySelector(".body"), coverageView(s)),
  }) },
];

let mounted = [];

function say(text, kind = "info") {
  const box = $("#message");
  box.textContent = text;
  box.className = kind;
  box.hidden = !text;
}

// ---- zones and the time range on show ----

const reference = () => (state.week ? state.week.timezone : null);

function zoneOf(adviser) {
  if (state.zone === "viewer") return viewerZone();
  if (state.zone === "reference" && reference()) return reference();
  return adviser.zone;
}

// The whole days, on the clocks in use, that hold the week and every shift: eight days, not
// seven, when Sydney's Monday-morning shifts of the week after spill over.
function weekRange(rows) {
  const [y, m, d] = state.monday.split("-").map(Number);
  let start = Date.UTC(y, m - 1, d) / 60000;
  let end = start + 7 * DAY;
  const byAdviser = shiftsByAdviser();
  for (const row of rows) {
    for (const s of byAdviser.get(row.id) || []) {
      start = Math.min(start, dayOf(wallMinutes(s.start, row.zone)));
      end = Math.max(end, dayOf(wallMinutes(s.end, row.zone) - 1) + DAY);
    }
  }
  return { start, end };
}

function range(rows) {
  const week = weekRange(rows);
  if (state.view === "week") return week;
  const days = [];
  for (let m = week.start; m < week.end; m += DAY) days.push(m);
  const select = $("#day");
  const chosen = days.includes(state.day) ? state.day : days[0];
  state.day = chosen;
  select.replaceChildren(...days.map((m) => new Option(formatDay(m), m, false, m === chosen)));
  return { start: chosen, end: chosen + DAY };
}

function shiftsByAdviser() {
  const map = new Map();
  for (const s of state.shifts) {
    if (!map.has(s.adviser_id)) map.set(s.adviser_id, []);
    map.get(s.adviser_id).push(s);
  }
  return map;
}

function rowsOnShow() {
  const zones = new Map(state.teams.map((t) => [t.name, t.timezone]));
  const own = new Map(state.shifts.map((s) => [s.adviser_id, s.timezone]));
  return state.advisers.map((a) => ({
    id: a.id, name: a.name, team: a.team, zone: own.get(a.id) || zones.get(a.team) || viewerZone(),
  }));
}

function timelineView(s) {
  const rows = rowsOnShow().map((r) => ({ ...r, zone: zoneOf(r) }));
  const order = s.teams.map((t) => t.name);
  const teams = [...new Set(rows.map((r) => r.team))]
    .sort((a, b) => (order.indexOf(a) - order.indexOf(b)) || a.localeCompare(b));
  const changed = new Set();
  const removed = new Map();
  for (const c of (s.comparison && s.comparison.changes) || []) {
    for (const sh of [...c.added, ...c.changed]) changed.add(`${sh.adviser_id}|${sh.start}|${sh.end}`);
    if (c.removed.length) removed.set(c.adviser_id, c.removed);
  }
  const note = s.zone === "adviser" ? "each adviser's clock" : zoneOf({});
  return {
    groups: teams.map((team) => ({
      team, advisers: rows.filter((r) => r.team === team).sort((a, b) => a.id.localeCompare(b.id)),
    })),
    shifts: shiftsByAdviser(), removed, changed, range: range(rows), zoneNote: note,
  };
}

function coverageView(s) {
  // one clock for all channels: each adviser's own has no meaning for a headcount
  const zone = s.zone === "viewer" ? viewerZone() : reference();
  const rows = rowsOnShow().map((r) => ({ ...r, zone }));
  return {
    rows: s.coverage || [], channels: s.channels, zone, range: range(rows),
    interval: s.week.interval_minutes,
  };
}

// ---- rendering ----

function colours() {
  const names = [...state.channels.map((c) => c.name)];
  for (const s of state.shifts) {
    for (const b of s.activities) if (b.kind !== "break" && !names.includes(b.kind)) names.push(b.kind);
  }
  const legend = $("#legend");
  legend.replaceChildren();
  names.forEach((name, i) => {
    document.body.style.setProperty(`--channel-${name}`, PALETTE[i % PALETTE.length]);
    const item = document.createElement("span");
    item.className = "swatch";
    item.style.setProperty("--c", `var(--channel-${name})`);
    item.textContent = (state.channels.find((c) => c.name === name) || {}).label || name;
    legend.append(item);
  });
  const pause = document.createElement("span");
  pause.className = "swatch break";
  pause.textContent = "break";
  legend.append(pause);
}

function render() {
  colours();
  const zone = $("#zone");
  const labels = { reference: `reference (${reference()})`, viewer: `mine (${viewerZone()})`, adviser: "each adviser's own" };
  for (const option of zone.options) {
    option.textContent = labels[option.value];
    option.hidden = option.value === "reference" && !reference();
  }
  zone.value = state.zone;
  $("#day-label").hidden = state.view !== "day";
  for (const panel of mounted) panel.update(state);
  $("#board").dataset.ready = state.version ? `version-${state.version.id}` : "adviser";
}

// ---- loading ----

function fill(select, options) {
  select.replaceChildren(...options.map(([value, text, chosen]) => new Option(text, value, false, chosen)));
}

async function loadVersion(versionId) {
  state.version = state.versions.find((v) => v.id === versionId) || null;
  state.comparison = null;
  $("#version").value = versionId;
  if (!state.version) return render();
  const base = `/versions/${versionId}`;
  const [shifts, coverage, quality] = await Promise.allSettled(
    ["/shifts", "/coverage", "/quality"].map((p) => state.api.get(base + p)),
  );
  state.shifts = shifts.status === "fulfilled" ? shifts.value : [];
  state.coverage = coverage.status === "fulfilled" ? coverage.value : null;
  state.quality = quality.status === "fulfilled" ? quality.value : null;
  const failed = [shifts, coverage, quality].find((r) => r.status === "rejected");
  if (failed) say(`version ${state.version.number}: ${failed.reason.message}`, "error");
  render();
}

async function loadWeek(weekId, versionId = null) {
  state.week = await state.api.get(`/weeks/${weekId}`);
  state.monday = state.week.monday;
  state.weeks = state.weeks.map((w) => (w.id === weekId ? state.week : w));
  // published first, then drafts newest first; superseded ones last, for the record
  const rank = { published: 0, draft: 1, superseded: 2 };
  state.versions = (await state.api.get(`/weeks/${weekId}/versions`))
    .sort((a, b) => rank[a.state] - rank[b.state] || b.number - a.number);
  fill($("#version"), state.versions.map((v) => [v.id, `v${v.number} ${v.state} · ${v.status}`, false]));
  const chosen = versionId || state.week.published_version_id || (state.versions[0] || {}).id;
  await loadVersion(chosen);
  const actions = mounted.find((p) => p.id === "actions");
  if (actions) {
    // a surge plan's job is the crisis panel's to watch
    const running = await state.api.get(`/jobs?week_id=${weekId}&state=running&limit=20`);
    const solve = running.items.find((j) => j.kind === "solve");
    if (solve) actions.watch(solve.id);
  }
}

async function openReader() {
  const api = state.api;
  [state.channels, state.teams, state.advisers, state.weeks] = await Promise.all(
    ["/channels", "/teams", "/advisers", "/weeks"].map((p) => api.all(p)),
  );
  if (!state.weeks.length) return say("no week yet: load one through the API", "info");
  const last = [...state.weeks].reverse().find((w) => w.published_version_id) || state.weeks.at(-1);
  fill($("#week"), state.weeks.map((w) => [w.id, `${w.name || "week"} · ${w.monday}`, w.id === last.id]));
  await loadWeek(last.id);
}

// An adviser may read only themself: their record and their published shifts. Every other call
// would answer 403 or 404, so the page makes none and shows their week alone.
async function openAdviser() {
  const id = state.me.adviser_id;
  const [me, shifts] = await Promise.all([
    state.api.get(`/advisers/${id}`), state.api.get(`/advisers/${id}/shifts`),
  ]);
  state.advisers = [me];
  state.allShifts = shifts;
  state.zone = "adviser";
  const mondays = [...new Set(shifts.map((s) => mondayOf(s.local_start.slice(0, 10))))].sort();
  if (!mondays.length) {
    say("no published shift yet", "info");
    return;
  }
  fill($("#week"), mondays.map((m) => [m, `week of ${m}`, m === mondays.at(-1)]));
  showAdviserWeek(mondays.at(-1));
}

function mondayOf(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

function showAdviserWeek(monday) {
  state.monday = monday;
  state.shifts = state.allShifts.filter((s) => mondayOf(s.local_start.slice(0, 10)) === monday);
  render();
}

function mount(role) {
  const host = $("#panels");
  host.replaceChildren();
  mounted = PANELS.filter((p) => p.roles.includes(role)).map((p) => {
    const section = document.createElement("section");
    section.id = p.id;
    section.className = "panel";
    const title = document.createElement("h2");
    title.textContent = p.title;
    const body = document.createElement("div");
    body.className = "body";
    section.append(title, body);
    host.append(section);
    return { id: p.id, ...p.mount(section, board) };
  });
  $("#version-label").hidden = role === "adviser";
}

async function open(token) {
  state.api = client(token);
  try {
    state.me = await state.api.get("/me");
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    $("#login").hidden = false;
    say(err instanceof ApiError && err.status === 401 ? "token not accepted (401): unknown or revoked"
      : `cannot reach the service: ${err.message}`, "error");
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#login").hidden = true;
  $("#who").textContent = state.me.adviser_id ? `adviser ${state.me.adviser_id}` : state.me.role;
  $("#logout").hidden = false;
  if (state.me.role === "admin") {
    say("an admin token manages tokens; open the board with a supervisor, crisis or adviser token", "error");
    return;
  }
  mount(state.me.role);
  $("#board").hidden = false;
  say("");
  try {
    await (state.me.role === "adviser" ? openAdviser() : openReader());
  } catch (err) {
    say(err instanceof ApiError && [403, 404].includes(err.status)
      ? `not available to a ${state.me.role} token (${err.status}): ${err.message}` : err.message, "error");
  }
}

const board = {
  state,
  get api() { return state.api; },
  say,
  render,
  showVersion: async (id) => loadWeek(state.week.id, id),
  reloadWeek: async (id) => loadWeek(state.week.id, id),
};

function wire() {
  $("#login").addEventListener("submit", (e) => {
    e.preventDefault();
    open($("#token").value.trim());
  });
  $("#logout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  $("#week").addEventListener("change", (e) => {
    if (state.me.role === "adviser") showAdviserWeek(e.target.value);
    else loadWeek(Number(e.target.value)).catch((err) => say(err.message, "error"));
  });
  $("#version").addEventListener("change", (e) => loadVersion(Number(e.target.value)));
  $("#zone").addEventListener("change", (e) => { state.zone = e.target.value; render(); });
  $("#view").addEventListener("change", (e) => { state.view = e.target.value; render(); });
  $("#day").addEventListener("change", (e) => { state.day = Number(e.target.value); render(); });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) open(saved);
}

window.rosterBoard = board;
wire();
