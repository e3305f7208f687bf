// The timeline: one row per adviser grouped by team, each shift drawn on the wall clock of the
// zone chosen for its row, with its channel blocks and break.
import { el } from "./dom.js";
import { DAY, formatClock, formatDay, wallMinutes } from "./time.js";

const pct = (minutes, range) => `${((100 * minutes) / (range.end - range.start)).toFixed(4)}%`;

// Day lines in the week view, two-hour lines in the day view.
function gridLines(range) {
  const step = range.end - range.start > DAY ? DAY : 120;
  const lines = [];
  for (let m = range.start; m <= range.end; m += step) lines.push(m);
  return lines;
}

function axis(range, zoneNote) {
  const row = el("div", "row axis");
  row.append(el("div", "name", zoneNote));
  const track = el("div", "track");
  const week = range.end - range.start > DAY;
  for (const m of gridLines(range)) {
    if (m === range.end) break;
    const label = el("span", "tick", week ? formatDay(m) : formatClock(m));
    label.style.left = pct(m - range.start, range);
    track.append(label);
  }
  row.append(track);
  return row;
}

function shiftNode(shift, zone, range, kind) {
  const start = wallMinutes(shift.start, zone);
  const end = wallMinutes(shift.end, zone);
  const node = el("div", `shift ${kind}`);
  node.dataset.shift = shift.id;
  node.dataset.start = shift.start;
  node.dataset.end = shift.end;
  node.style.left = pct(start - range.start, range);
  node.style.width = pct(end - start, range);
  const shown = `${formatClock(start)}–${formatClock(end)}`;
  node.dataset.local = `${formatDay(start)} ${shown}`;
  node.title = `${shift.adviser_id} ${formatDay(start)} ${shown} (${zone}), ${shift.hours} h worked`;
  for (const block of shift.activities || []) {
    const from = wallMinutes(block.start, zone) - start;
    const to = wallMinutes(block.end, zone) - start;
    const b = el("div", block.kind === "break" ? "block break" : "block");
    b.dataset.kind = block.kind;
    b.style.left = `${((100 * from) / (end - start)).toFixed(3)}%`;
    b.style.width = `${((100 * (to - from)) / (end - start)).toFixed(3)}%`;
    if (block.kind !== "break") b.style.background = `var(--channel-${block.kind}, #888)`;
    node.append(b);
  }
  node.append(el("span", "time", shown));
  return node;
}

/**
 * Draw the rows into `root`.
 * view: {groups: [{team, advisers: [{id, name, zone}]}], shifts: Map adviser -> shifts,
 *        removed: Map adviser -> shifts of the published version not in this one,
 *        changed: Set of shift keys, range: {start, end} wall minutes, zoneNote}
 */
export function renderTimeline(root, view) {
  const { range } = view;
  const table = el("div", "timeline");
  table.append(axis(range, view.zoneNote));
  const lines = gridLines(range);
  for (const group of view.groups) {
    const head = el("div", "team", group.team);
    head.dataset.team = group.team;
    table.append(head);
    for (const adviser of group.advisers) {
      const row = el("div", "row");
      row.dataset.adviser = adviser.id;
      row.dataset.team = group.team;
      row.dataset.zone = adviser.zone;
      const name = el("div", "name");
      name.append(el("b", "", adviser.id), ` ${adviser.name || ""}`);
      name.title = adviser.zone;
      const track = el("div", "track");
      for (const m of lines) {
        const line = el("i", "gridline");
        line.style.left = pct(m - range.start, range);
        track.append(line);
      }
      for (const shift of view.removed.get(adviser.id) || []) {
        track.append(shiftNode(shift, adviser.zone, range, "removed"));
      }
      for (const shift of view.shifts.get(adviser.id) || []) {
        const key = `${shift.adviser_id}|${shift.start}|${shift.end}`;
        track.append(shiftNode(shift, adviser.zone, range, view.changed.has(key) ? "changed" : ""));
        if (view.changed.has(key)) row.classList.add("changed");
      }
      if (view.removed.has(adviser.id)) row.classList.add("changed");
      row.append(name, track);
      table.append(row);
    }
  }
  root.replaceChildren(table);
}
