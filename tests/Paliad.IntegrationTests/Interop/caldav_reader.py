"""An independent reader: python3-caldav lists every event of one calendar and prints what each says, as JSON, for
the C# test to compare with what Paliad holds. Text is read with vobject, times, alarms and categories with
python-icalendar: icalendar 4.0.3 (Debian bookworm) drops one backslash of an escaped double backslash in a value
that also holds an escaped comma or semicolon (RFC 5545 3.3.11), which vobject reads right.
Usage: caldav_reader.py URL USER PASSWORD"""
import datetime
import json
import sys

import caldav


def instant(value):
    """A DATE as YYYY-MM-DD, a DATE-TIME as UTC ISO 8601 with Z."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("floating time")
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def text(vevent, name):
    return getattr(vevent, name).value if hasattr(vevent, name) else None


def categories(component):
    found = []
    values = component.get("CATEGORIES")
    for value in values if isinstance(values, list) else [values] if values is not None else []:
        found.extend(str(c) for c in getattr(value, "cats", [value]))
    return found


def main():
    url, user, password = sys.argv[1:4]
    client = caldav.DAVClient(url=url, username=user, password=password)
    calendar = caldav.Calendar(client=client, url=url)
    events = []
    for resource in calendar.events():
        vevents = {str(v.uid.value): v for v in resource.vobject_instance.vevent_list}
        for component in resource.icalendar_instance.walk("VEVENT"):
            vevent = vevents[str(component["UID"])]
            start = component.decoded("DTSTART")
            end = component.decoded("DTEND") if "DTEND" in component else start + component.decoded("DURATION")
            events.append({
                "uid": str(component["UID"]),
                "summary": text(vevent, "summary"),
                "description": text(vevent, "description"),
                "location": text(vevent, "location"),
                "allDay": not isinstance(start, datetime.datetime),
                "start": instant(start),
                "end": instant(end),
                "tzid": component["DTSTART"].params.get("TZID"),
                "sequence": int(component.get("SEQUENCE", 0)),
                "alarms": [alarm["TRIGGER"].to_ical().decode() for alarm in component.walk("VALARM")],
                "categories": categories(component),
            })
    json.dump(events, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
