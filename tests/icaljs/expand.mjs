// Reads iCalendar text on stdin and prints, as JSON, every VEVENT as Mozilla's ical.js
// (Thunderbird's parser) expands it: the UTC instant of each occurrence of a recurring
// event (EXDATEs removed by ical.js itself), and an instance's RECURRENCE-ID.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const root = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}

function utc(time) {
  return time ? time.toJSDate().toISOString() : null;
}

const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const occurrences = [];
  if (event.isRecurring()) {
    const iterator = event.iterator();
    for (let next = iterator.next(); next && occurrences.length < 200; next = iterator.next()) {
      occurrences.push(utc(next));
    }
  } else {
    occurrences.push(utc(event.startDate));
  }
  const recurrence = component.getFirstProperty("recurrence-id");
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    recurrenceId: recurrence ? utc(recurrence.getFirstValue()) : null,
    recurrenceTzid: recurrence ? recurrence.getParameter("tzid") || null : null,
    occurrences,
  };
});
process.stdout.write(JSON.stringify({ method: root.getFirstPropertyValue("method"), events }));
