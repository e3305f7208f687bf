// The coverage chart per channel: required against scheduled per interval, shortfall in red,
// and the projected service level (issue 3) as a dashed line when the week has a forecast.
import { wallMinutes } from "./time.js";

const SVG = "http://www.w3.org/2000/svg";
const H = 100;

function svgNode(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

// A step path through (x, value) points, each value held for one interval.
function steps(points, width, y) {
  return points.map((p, i) => `${i ? "L" : "M"}${p.x},${y(p.v)} L${p.x + width},${y(p.v)}`).join(" ");
}

/**
 * Draw one chart per channel into `root`.
 * view: {rows (the coverage endpoint's), channels: [{name, label}], zone, range, interval}
 */
export function renderCoverage(root, view) {
  const { range, interval } = view;
  const width = range.end - range.start;
  const charts = [];
  for (const channel of view.channels) {
    // the channel's headcount rows; per-language rows are parts of it
    const rows = view.rows.filter((r) => r.channel === channel.name && !r.language);
    const points = rows
      .map((r) => ({ ...r, x: wallMinutes(r.interval_start, view.zone) - range.start }))
      .filter((p) => p.x + interval > 0 && p.x < width);
    if (!points.length) continue;
    const top = Math.max(1, ...points.map((p) => Math.max(p.required, p.scheduled)));
    const y = (v) => (H * (1 - v / top)).toFixed(2);
    const svg = svgNode("svg", {
      viewBox: `0 0 ${width} ${H}`, preserveAspectRatio: "none", class: "chart", role: "img",
    });
    svg.append(svgNode("path", {
      d: `${steps(points.map((p) => ({ x: p.x, v: p.scheduled })), interval, y)} ` +
        `L${points.at(-1).x + interval},${H} L${points[0].x},${H} Z`,
      class: "scheduled", fill: `var(--channel-${channel.name}, #888)`,
    }));
    for (const p of points.filter((q) => q.shortfall > 0)) {
      svg.append(svgNode("rect", {
        x: p.x, width: interval, y: y(p.required), height: y(p.scheduled) - y(p.required),
        class: "shortfall",
      }));
    }
    svg.append(svgNode("path", {
      d: steps(points.map((p) => ({ x: p.x, v: p.required })), interval, y), class: "required",
    }));
    const service = points.filter((p) => (p.service_level ?? p.on_time_share) != null);
    if (service.length) {
      const level = (p) => (H * (1 - (p.service_level ?? p.on_time_share))).toFixed(2);
      svg.append(svgNode("polyline", {
        points: service.map((p) => `${p.x + interval / 2},${level(p)}`).join(" "),
        class: "service",
      }));
    }
    const short = points.reduce((s, p) => s + p.shortfall, 0) * (interval / 60);
    const figure = document.createElement("figure");
    figure.className = "coverage";
    figure.dataset.channel = channel.name;
    const caption = document.createElement("figcaption");
    const lowest = service.length
      ? `, projected service level from ${(100 * Math.min(...service.map((p) => p.service_level ?? p.on_time_share))).toFixed(0)}% (dashed, 0–100%)`
      : "";
    caption.textContent = `${channel.label || channel.name}: required (line) vs scheduled (area), ` +
      `peak ${top}, shortfall ${short.toFixed(2)} adviser-hours in view (red)${lowest}`;
    figure.append(caption, svg);
    charts.push(figure);
  }
  root.replaceChildren(...charts);
}
