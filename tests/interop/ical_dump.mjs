// Parse an .ics file with Mozilla's ical.js and print what a calendar app would see, as JSON:
// the METHOD and, per VEVENT, UID, SUMMARY, start/end as UTC instants, alarms, organizer.
// Usage: node ical_dump.mjs <repo root> <file.ics>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [root, file] = process.argv.slice(2);
const ICAL = (await import(pathToFileURL(path.join(root, "node_modules/ical.js/dist/ical.js")).href)).default;

const text = readFileSync(file, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    location: event.location,
    organizer: event.organizer,
    geo: component.getFirstPropertyValue("geo"),
    alarms: component.getAllSubcomponents("valarm").map((a) => String(a.getFirstPropertyValue("trigger"))),
  };
});
const available = calendar.getAllSubcomponents("vavailability").flatMap((block) =>
  block.getAllSubcomponents("available").map((slot) => ({
    uid: slot.getFirstPropertyValue("uid"),
    start: slot.getFirstPropertyValue("dtstart").toJSDate().toISOString(),
    end: slot.getFirstPropertyValue("dtend").toJSDate().toISOString(),
  })),
);
process.stdout.write(JSON.stringify({
  available,
  method: calendar.getFirstPropertyValue("method"),
  timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
  events,
}));
