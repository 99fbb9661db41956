"""The plan: venues, travel overrides, people, delegations and events of `dortbunt-plan/1`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

#: The largest calendar SEQUENCE (RFC 5545: an integer; clients read 32 bits, signed).
MAX_SEQUENCE = 2**31 - 1

FORMAT = "dortbunt-plan/1"

VENUE_KINDS = frozenset("city_hall square stage museum hotel station airport park stadium church restaurant office other".split())
#: Venues of these kinds are festival stages (organisers may use them unless an admin allows
#: more; see `sharing.access.OrganiserLimits`).
STAGE_KINDS = frozenset(("stage", "square", "park"))
PERSON_ROLES = frozenset("mayor deputy_mayor interpreter protocol escort performer press other".split())
EVENT_KINDS = frozenset("golden_book reception meeting tour meal press festival_slot transfer unavailable other".split())
STATUSES = frozenset(("confirmed", "tentative", "cancelled"))
SEVERITIES = ("error", "warning")

#: Rule ids with their default severity, in the order of SPEC §3.
RULES: dict[str, str] = {
    "venue_overlap": "error",
    "delegation_overlap": "error",
    "person_overlap": "error",
    "travel_time": "warning",
    "outside_stay": "error",
    "venue_closed": "error",
    "capacity": "error",
    "interpreter_missing": "warning",
    "golden_book_venue": "error",
    "golden_book_signatory": "error",
    "golden_book_duplicate": "warning",
    "changeover": "warning",
    "quiet_hours": "error",
}

#: Kinds of event at which a delegation needs an interpreter unless it speaks German.
INTERPRETED_KINDS = frozenset(("golden_book", "reception", "meeting", "tour", "meal", "press"))
SIGNATORY_ROLES = frozenset(("mayor", "deputy_mayor"))


@dataclass(frozen=True, slots=True)
class Window:
    """A daily window of wall-clock minutes; a `close` earlier than `open` runs into the next
    day, and `close` equal to `open` is an empty window (SPEC §2 carries only an earlier close
    over midnight; a whole day is 00:00–24:00)."""

    open: int
    close: int

    @property
    def past_midnight(self) -> bool:
        return self.close < self.open


@dataclass(slots=True)
class Venue:
    id: str
    name: str
    lat: float
    lon: float
    kind: str
    address: str = ""
    capacity: int | None = None
    max_parallel: int = 1
    opening_hours: tuple[Window, ...] | None = None
    golden_book: bool = False
    changeover_min: float = 0
    amplified: bool = False
    notes: str = ""


@dataclass(slots=True)
class Travel:
    source: str
    target: str
    minutes: float


@dataclass(slots=True)
class Person:
    id: str
    name: str
    role: str
    languages: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    notes: str = ""


@dataclass(slots=True)
class Delegation:
    id: str
    city: str
    country: str
    size: int
    languages: tuple[str, ...] = ()
    arrival: datetime | None = None
    departure: datetime | None = None
    hotel: str | None = None
    notes: str = ""


@dataclass(slots=True)
class Event:
    id: str
    title: str
    kind: str
    start: datetime
    end: datetime
    venue: str | None
    delegations: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    status: str = "confirmed"
    public: bool = False
    attendance: int | None = None
    notes: str = ""
    sequence: int = 0
    pinned: bool = False


@dataclass(slots=True)
class Rules:
    walk_kmh: float = 4.8
    drive_kmh: float = 25
    walk_max_km: float = 1.5
    detour: float = 1.3
    drive_overhead_min: float = 10
    disabled: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)

    def severity_of(self, rule: str) -> str:
        return self.severity.get(rule, RULES[rule])


@dataclass(slots=True)
class Festival:
    start: date | None = None
    end: date | None = None
    quiet_hours: Window = Window(22 * 60, 7 * 60)


@dataclass(slots=True)
class Plan:
    name: str = ""
    timezone: str = "Europe/Berlin"
    festival: Festival | None = None
    rules: Rules = field(default_factory=Rules)
    venues: dict[str, Venue] = field(default_factory=dict)
    travel: list[Travel] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    @property
    def quiet_hours(self) -> Window:
        """The nightly quiet window; it applies every night, festival or not (default 22–07)."""
        return self.festival.quiet_hours if self.festival else Festival().quiet_hours
