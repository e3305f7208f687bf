// Instants to wall clocks, always through Intl with an IANA zone: no offsets computed by hand, so
// clock changes in Paris and Sydney come out as the zone database says.
//
// A wall clock is kept as "wall minutes": the minutes since 1970 of that local date and time read
// as if it were UTC. Two wall times in one zone subtract to the minutes a clock would show between
// them, which is what a timeline drawn on local time needs.

const formatters = new Map();

function partsIn(zone) {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    formatters.set(zone, format);
  }
  return format;
}

/** The wall minutes of `instant` (a Date or an ISO string) on the clock of `zone`. */
export function wallMinutes(instant, zone) {
  const date = typeof instant === "string" ? new Date(instant) : instant;
  const p = Object.fromEntries(partsIn(zone).formatToParts(date).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) / 60000;
}

export const DAY = 1440;

/** The day (wall minutes at 00:00) holding wall minutes `m`. */
export const dayOf = (m) => Math.floor(m / DAY) * DAY;

const dayLabel = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC", weekday: "short", day: "numeric", month: "short",
});

/** "Mon 23 Nov" for a day in wall minutes (wall minutes read as UTC, hence the UTC zone). */
export const formatDay = (m) => dayLabel.format(new Date(m * 60000));

/** "08:30" for wall minutes. */
export function formatClock(m) {
  const inDay = ((m % DAY) + DAY) % DAY;
  const hh = String(Math.floor(inDay / 60)).padStart(2, "0");
  return `${hh}:${String(inDay % 60).padStart(2, "0")}`;
}

/** The viewer's own zone, as the browser knows it. */
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** "Fri 27 Nov 18:00" for an instant (a Date or an ISO string) on the clock of `zone`. */
export function formatInstant(instant, zone) {
  const m = wallMinutes(instant, zone);
  return `${formatDay(m)} ${formatClock(m)}`;
}

/** "Sat 28 Nov 09:00–18:30" within a day, "Fri 27 Nov 18:00 – Mon 30 Nov 18:00" across days. */
export function formatSpan(start, end, zone) {
  const a = wallMinutes(start, zone);
  const b = wallMinutes(end, zone);
  if (dayOf(a) === dayOf(b - 1)) return `${formatDay(a)} ${formatClock(a)}–${formatClock(b)}`;
  return `${formatInstant(start, zone)} – ${formatInstant(end, zone)}`;
}
