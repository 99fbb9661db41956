// Reads .ics files with ical.js (Thunderbird's parser) and prints what it understood as JSON:
// calendar name and, per event, UID, texts, status, sequence and start/end in UTC.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const result = process.argv.slice(2).map((path) => {
  const component = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const zone of component.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  const events = component.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      location: event.location,
      status: vevent.getFirstPropertyValue("status"),
      sequence: event.sequence,
      categories: vevent.getFirstPropertyValue("categories"),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
  return { name: component.getFirstPropertyValue("x-wr-calname"), events };
});
process.stdout.write(JSON.stringify(result));
