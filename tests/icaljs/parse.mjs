// Reads iCalendar text on stdin and prints, as JSON, what Mozilla's ical.js
// (the parser inside Thunderbird) understood of it. Times are UTC instants
// computed after registering the file's own VTIMEZONEs, so a wrong or missing
// VTIMEZONE shows up as a wrong instant rather than being papered over.
import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function params(property) {
  const found = {};
  for (const [name, value] of Object.entries(property.toJSON()[1])) {
    found[name.toUpperCase()] = value;
  }
  return found;
}

// The value type ical.js settled on (from VALUE= or the property's default)
// is jCal's third member, not a parameter.
function address(property) {
  return property
    ? { value: property.getFirstValue(), type: property.type, params: params(property) }
    : null;
}

function instant(component, name) {
  const property = component.getFirstProperty(name);
  if (!property) return null;
  const time = property.getFirstValue();
  return {
    utc: time.toJSDate().toISOString(),
    tzid: property.getParameter("tzid") || null,
    zone: time.zone ? time.zone.tzid : null,
    local: time.toString(),
  };
}

function text(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function vevent(component) {
  return {
    uid: text(component, "uid"),
    sequence: component.getFirstPropertyValue("sequence"),
    status: text(component, "status"),
    summary: text(component, "summary"),
    description: text(component, "description"),
    location: text(component, "location"),
    url: text(component, "url"),
    dtstamp: instant(component, "dtstamp"),
    dtstart: instant(component, "dtstart"),
    dtend: instant(component, "dtend"),
    organizer: address(component.getFirstProperty("organizer")),
    attendees: component.getAllProperties("attendee").map(address),
    conference: component.getAllProperties("conference").map(address),
    alarms: component.getAllSubcomponents("valarm").map((alarm) => ({
      action: text(alarm, "action"),
      trigger: text(alarm, "trigger"),
    })),
  };
}

// Calendar apps read these names as TEXT (RFC 7986 §5.1 for NAME; Apple's
// and Microsoft's X-WR-CALNAME the same); ical.js 2.2.1 does not know them
// and would keep the escaped form, so tell it what they are.
for (const name of ["name", "x-wr-calname", "x-wr-timezone"]) {
  ICAL.design.icalendar.property[name] = { defaultType: "text" };
}

const source = await readStdin();
const root = new ICAL.Component(ICAL.parse(source));
const timezones = root.getAllSubcomponents("vtimezone");
for (const zone of timezones) {
  ICAL.TimezoneService.register(zone);
}
const refresh = root.getFirstProperty("refresh-interval");
const result = {
  name: root.name,
  method: text(root, "method"),
  version: text(root, "version"),
  prodid: text(root, "prodid"),
  calname: text(root, "x-wr-calname"),
  calendarName: text(root, "name"),
  wrTimezone: text(root, "x-wr-timezone"),
  refreshInterval: refresh
    ? { value: String(refresh.getFirstValue()), type: refresh.type, params: params(refresh) }
    : null,
  publishedTtl: text(root, "x-published-ttl"),
  timezones: timezones.map((zone) => zone.getFirstPropertyValue("tzid")),
  events: root.getAllSubcomponents("vevent").map(vevent),
};
process.stdout.write(JSON.stringify(result));
