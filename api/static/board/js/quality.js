// The roster's quality in one line: what a supervisor checks before publishing.

/** "7.5 h" for a number of hours. */
export const hours = (h) => `${Number(h).toFixed(2).replace(/\.?0+$/, "")} h`;

/** One line of text from the quality endpoint's answer. */
export function qualityLine(q) {
  const parts = [q.status];
  if (q.gap != null) {
    parts.push(`gap ${(100 * q.gap).toFixed(1)}% to the bound (objective ${Math.round(q.objective)}, ` +
      `bound ${Math.round(q.lower_bound)})`);
  }
  const short = Object.entries(q.shortfall_hours || {});
  const total = short.reduce((s, [, h]) => s + h, 0);
  parts.push(`shortfall ${hours(total)}` +
    (short.length ? ` (${short.map(([c, h]) => `${c} ${hours(h)}`).join(", ")})` : ""));
  // within the tolerance is a hard rule; any distance to the target is worth seeing
  const off = (q.advisers || [])
    .filter((a) => a.split_deviation_points > 0)
    .sort((a, b) => b.split_deviation_points - a.split_deviation_points);
  const named = off.slice(0, 5).map((a) => `${a.id} ${a.split_deviation_points} pts`).join(", ");
  parts.push(off.length
    ? `${off.length} off their split target: ${named}${off.length > 5 ? `, +${off.length - 5} more` : ""}`
    : "everyone on their split target");
  return parts.join(" · ");
}
