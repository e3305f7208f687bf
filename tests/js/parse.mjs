// Reads .ics files (or stdin) with Mozilla's ical.js, Thunderbird's parser, and prints JSON:
// one entry per input with the calendar's properties and its events, whose start and end are
// UTC instants worked out by ical.js from the file's own VTIMEZONE definitions (ical.js has no
// time zone database of its own, so a wrong VTIMEZONE shows as a wrong instant).
//
//   node parse.mjs feed.ics other.ics      or      node parse.mjs < feed.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function instant(time) {
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function zoneOf(event, name) {
  const property = event.component.getFirstProperty(name);
  const tzid = property.getParameter("tzid");
  const time = property.getFirstValue();
  if (tzid && time.zone.tzid !== tzid) {
    throw new Error(`${event.uid}: ${name} names TZID ${tzid}, which no VTIMEZONE defines`);
  }
  return time.zone.tzid;
}

function read(source, text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  ICAL.TimezoneService.reset();
  const zones = calendar.getAllSubcomponents("vtimezone");
  for (const zone of zones) ICAL.TimezoneService.register(zone);
  const properties = {};
  for (const property of calendar.getAllProperties()) {
    properties[property.name] = property.toICALString().split(":").slice(1).join(":");
  }
  const events = calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: component.getFirstPropertyValue("status"),
      summary: event.summary,
      description: event.description,
      location: event.location,
      start: instant(event.startDate),
      end: instant(event.endDate),
      start_zone: zoneOf(event, "dtstart"),
      end_zone: zoneOf(event, "dtend"),
    };
  });
  return { source, properties, timezones: zones.map((z) => z.getFirstPropertyValue("tzid")), events };
}

const files = process.argv.slice(2);
const inputs = files.length
  ? files.map((file) => [file, readFileSync(file, "utf-8")])
  : [["-", readFileSync(0, "utf-8")]];
process.stdout.write(JSON.stringify(inputs.map(([source, text]) => read(source, text)), null, 1));
