// Parse an .ics from stdin with Mozilla's ical.js; print what a calendar app would see.
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    summary: event.summary,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    organizer: component.getFirstPropertyValue("organizer"),
    attendees: component.getAllProperties("attendee").map((property) => property.getFirstValue()),
  };
});
console.log(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }));
