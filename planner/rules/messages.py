"""Conflict messages a person understands, in English and German, with names and local times."""

from __future__ import annotations

from datetime import datetime

from planner.language.dates import compact_day, compact_time
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Event, Plan
from planner.rules.engine import Conflict

LANGUAGES = ("en", "de")

RULE_TITLES = {
    "en": {
        "venue_overlap": "Venue double-booked",
        "delegation_overlap": "Delegation in two places",
        "person_overlap": "Person in two places",
        "travel_time": "Not enough travel time",
        "outside_stay": "Outside the delegation's stay",
        "venue_closed": "Venue closed",
        "capacity": "Over capacity",
        "interpreter_missing": "Interpreter missing",
        "golden_book_venue": "Golden Book not at this venue",
        "golden_book_signatory": "No Lord Mayor or deputy at the signing",
        "golden_book_duplicate": "Golden Book signed twice",
        "changeover": "Changeover too short",
        "quiet_hours": "Amplified during quiet hours",
    },
    "de": {
        "venue_overlap": "Ort doppelt belegt",
        "delegation_overlap": "Delegation an zwei Orten",
        "person_overlap": "Person an zwei Orten",
        "travel_time": "Zu wenig Zeit für den Weg",
        "outside_stay": "Außerhalb des Aufenthalts",
        "venue_closed": "Ort geschlossen",
        "capacity": "Kapazität überschritten",
        "interpreter_missing": "Dolmetschung fehlt",
        "golden_book_venue": "Goldenes Buch nicht an diesem Ort",
        "golden_book_signatory": "Kein OB und keine Vertretung beim Eintrag",
        "golden_book_duplicate": "Doppelter Eintrag ins Goldene Buch",
        "changeover": "Umbauzeit zu kurz",
        "quiet_hours": "Beschallung in der Nachtruhe",
    },
}

SEVERITY_TITLES = {
    "en": {"error": "Errors", "warning": "Warnings"},
    "de": {"error": "Fehler", "warning": "Warnungen"},
}

SEVERITY_LABELS = {
    "en": {"error": "Error", "warning": "Warning"},
    "de": {"error": "Fehler", "warning": "Warnung"},
}


class Describer:
    """Renders conflicts of one plan in one language."""

    def __init__(self, plan: Plan, lang: str = "en"):
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self.plan = plan
        self.lang = lang
        self.clock = WallClock(zone_named(plan.timezone, "timezone"))
        self._times: dict[datetime, str] = {}

    # -- pieces --------------------------------------------------------------------------

    def day(self, instant: datetime) -> str:
        return compact_day(self.clock.wall(instant).date(), self.lang)

    def time(self, instant: datetime) -> str:
        """'14:00'; with seconds where there are any, and with the UTC offset where the clocks
        show this time twice (the night they go back)."""
        found = self._times.get(instant)
        if found is not None:
            return found
        text = compact_time(instant, self.clock)
        self._times[instant] = text
        return text

    def moment(self, instant: datetime) -> str:
        return f"{self.day(instant)} {self.time(instant)}"

    def span(self, start: datetime, end: datetime, *, with_day: bool = True) -> str:
        """'Fri 7 May 2027 14:00–14:30', or with both days when it crosses midnight."""
        same_day = self.clock.local_date(start) == self.clock.local_date(end)
        begin = self.moment(start) if with_day else self.time(start)
        finish = self.time(end) if same_day else self.moment(end)
        return f"{begin}–{finish}" if same_day else f"{begin} – {finish}"

    def event(self, event: Event, *, with_day: bool = True) -> str:
        return f'"{event.title}" {self.span(event.start, event.end, with_day=with_day)}'

    def venue(self, venue_id: str | None) -> str:
        return self.plan.venues[venue_id].name if venue_id in self.plan.venues else str(venue_id)

    def delegation(self, delegation_id: str) -> str:
        city = self.plan.delegations[delegation_id].city
        return f"Delegation {city}"  # the same word in both languages

    def person(self, person_id: str) -> str:
        return self.plan.people[person_id].name

    def party(self, party_id: str, rule_events: list[Event]) -> str:
        """A delegation or person id, whichever the events share."""
        if all(party_id in e.delegations for e in rule_events) and party_id in self.plan.delegations:
            return self.delegation(party_id)
        return self.person(party_id) if party_id in self.plan.people else self.delegation(party_id)

    def minutes(self, value: float) -> str:
        text = f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"
        return text.replace(".", ",") if self.lang == "de" else text

    # -- sentences ------------------------------------------------------------------------

    def describe(self, conflict: Conflict) -> str:
        """The conflict as one sentence."""
        facts = conflict.facts
        events: list[Event] = facts["_events"]
        de = self.lang == "de"
        rule = conflict.rule
        # Every rule but the two about a signing's venue and signatory names its resource.
        resource = conflict.resource or ""
        first = events[0]
        if "pairs" in facts:  # a pile-up: one period of overlap with many pairs (check's pile_up)
            return self.pile_up(conflict, events)
        if rule in ("venue_overlap", "delegation_overlap", "person_overlap") and "limit" not in facts:
            a, b = events
            who = {
                "venue_overlap": lambda: self.venue(resource),
                "delegation_overlap": lambda: self.delegation(resource),
                "person_overlap": lambda: self.person(resource),
            }[rule]()
            same_day = self.clock.local_date(a.start) == self.clock.local_date(b.start)
            verb = "überschneidet sich mit" if de else "overlaps"
            return f"{who}: {self.event(a)} {verb} {self.event(b, with_day=not same_day)}"
        if rule == "venue_overlap":
            titles = ", ".join(f'"{e.title}"' for e in events)
            period = self.span(facts["start"], facts["end"])
            if de:
                return f"{self.venue(resource)}: mehr als {facts['limit']} Veranstaltungen gleichzeitig ({period}): {titles}"
            return f"{self.venue(resource)}: more than {facts['limit']} events at once ({period}): {titles}"
        if rule == "travel_time":
            a, b = events
            who = self.party(resource, events)
            gap, needed = self.minutes(facts["gap"]), self.minutes(facts["needed"])
            if de:
                return (
                    f'{who}: nur {gap} min von "{a.title}" ({self.venue(a.venue)}, Ende '
                    f'{self.moment(a.end)}) bis "{b.title}" ({self.venue(b.venue)}, Beginn '
                    f"{self.time(b.start)}); der Weg dauert {needed} min"
                )
            return (
                f'{who}: only {gap} min from "{a.title}" ({self.venue(a.venue)}, ends '
                f'{self.moment(a.end)}) to "{b.title}" ({self.venue(b.venue)}, starts '
                f"{self.time(b.start)}); the trip takes {needed} min"
            )
        if rule == "outside_stay":
            delegation = self.plan.delegations[resource]
            parts = []
            if facts["early"]:
                assert delegation.arrival is not None  # "early" means before a known arrival
                parts.append(
                    f"beginnt vor der Ankunft {self.moment(delegation.arrival)}"
                    if de
                    else f"starts before the arrival {self.moment(delegation.arrival)}"
                )
            if facts["late"]:
                assert delegation.departure is not None
                parts.append(
                    f"endet nach der Abreise {self.moment(delegation.departure)}"
                    if de
                    else f"ends after the departure {self.moment(delegation.departure)}"
                )
            joiner = " und " if de else " and "
            return f"{self.delegation(resource)}: {self.event(first)} {joiner.join(parts)}"
        if rule == "venue_closed":
            venue = self.plan.venues[resource]
            hours = ", ".join(
                f"{w.open // 60:02d}:{w.open % 60:02d}–{w.close // 60:02d}:{w.close % 60:02d}" for w in venue.opening_hours or ()
            )
            if de:
                hours = hours or "nie"
                return f"{venue.name} (geöffnet {hours}): {self.event(first)} liegt außerhalb der Öffnungszeiten"
            hours = hours or "never"
            return f"{venue.name} (open {hours}): {self.event(first)} is outside the opening hours"
        if rule == "capacity":
            if de:
                return (
                    f"{self.venue(resource)}: {self.event(first)} mit {facts['attendance']} "
                    f"Personen, Platz für {facts['capacity']}"
                )
            return (
                f"{self.venue(resource)}: {self.event(first)} has {facts['attendance']} attendees, room for {facts['capacity']}"
            )
        if rule == "interpreter_missing":
            languages = ", ".join(facts["languages"]) or ("keine angegeben" if de else "none given")
            if de:
                return (
                    f"{self.event(first)}: niemand spricht eine Sprache der "
                    f"{self.delegation(resource)} ({languages}) und sie spricht kein Deutsch"
                )
            return (
                f"{self.event(first)}: nobody present speaks a language of "
                f"{self.delegation(resource)} ({languages}), and it does not speak German"
            )
        if rule == "golden_book_venue":
            if de:
                return f"{self.event(first)}: das Goldene Buch wird nicht hier aufbewahrt ({self.venue(first.venue)})"
            return f"{self.event(first)}: the Golden Book is not kept at {self.venue(first.venue)}"
        if rule == "golden_book_signatory":
            if de:
                return f"{self.event(first)}: kein OB und keine Stellvertretung eingeplant"
            return f"{self.event(first)}: neither the Lord Mayor nor a deputy is present"
        if rule == "golden_book_duplicate":
            listed = ", ".join(f'"{e.title}" ({self.moment(e.start)})' for e in events)
            if de:
                return f"{self.delegation(resource)} trägt sich {len(events)}-mal ins Goldene Buch ein: {listed}"
            return f"{self.delegation(resource)} signs the Golden Book {len(events)} times: {listed}"
        if rule == "changeover":
            a, b = events
            gap, needed = self.minutes(facts["gap"]), self.minutes(facts["needed"])
            if de:
                return (
                    f"{self.venue(resource)}: nur {gap} min zwischen {self.event(a)} und "
                    f'"{b.title}" ({self.time(b.start)}); Umbau braucht {needed} min'
                )
            return (
                f"{self.venue(resource)}: only {gap} min between {self.event(a)} and "
                f'"{b.title}" ({self.time(b.start)}); changeover needs {needed} min'
            )
        if rule == "quiet_hours":
            quiet = f"{self.time(facts['quiet_start'])}–{self.time(facts['quiet_end'])}"
            if de:
                return f"{self.venue(resource)}: {self.event(first)} reicht in die Nachtruhe ({quiet})"
            return f"{self.venue(resource)}: {self.event(first)} runs into the quiet hours ({quiet})"
        raise ValueError(f"no message for rule {rule!r}")  # pragma: no cover

    #: How many titles a pile-up names before "and N more".
    PILE_UP_TITLES = 5

    def number(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "de" else text

    def pile_up(self, conflict: Conflict, events: list[Event]) -> str:
        """'Hansaplatz: 1,500 events overlap Sat 8 May 2027 20:00–21:00 (1,124,250 pairs):
        "A", "B", … and 1,495 more'."""
        de, facts = self.lang == "de", conflict.facts
        who = {"venue_overlap": self.venue, "delegation_overlap": self.delegation, "person_overlap": self.person}[conflict.rule](
            conflict.resource or ""
        )
        shown = ", ".join(f'"{e.title}"' for e in events[: self.PILE_UP_TITLES])
        rest = len(events) - self.PILE_UP_TITLES
        period, count, pairs = self.span(facts["start"], facts["end"]), self.number(len(events)), self.number(facts["pairs"])
        if de:
            more = f" und {self.number(rest)} weitere" if rest > 0 else ""
            return f"{who}: {count} Termine überschneiden sich {period} ({pairs} Überschneidungen): {shown}{more}"
        more = f" and {self.number(rest)} more" if rest > 0 else ""
        return f"{who}: {count} events overlap {period} ({pairs} overlapping pairs): {shown}{more}"


def describe(conflict: Conflict, plan: Plan, lang: str = "en") -> str:
    """One conflict as a sentence in `lang` (for many conflicts, reuse one `Describer`)."""
    return Describer(plan, lang).describe(conflict)
