"""Build the sample plan ``data/dortbunt-2027.json`` ("DORTBUNT! 2027", 7-9 May 2027).

The plan is a realistic `dortbunt-plan/1` document (SPEC §2) for the protocol office and the
festival organisers:

* all venues of ``data/venues.json`` (their ``source`` keys stripped), a few explicit travel
  times, the Lord Mayor, two deputies, protocol officers, one escort per delegation,
  interpreters for every language of the visiting delegations, performers, press and clergy;
* nine delegations from partner cities (languages and countries from
  ``data/partner-cities.json``; Rostov-on-Don is left out: contact is suspended), each with a
  whole programme: arrival transfer, hotel check-in, Golden Book signing, the joint
  reception, festival visits (Friday opening concert, Saturday music day and dinner, Sunday
  interfaith peace prayer), tours, meals and the departure transfer;
* the public festival programme: more than a hundred slots on twelve festival places;
* a handful of DELIBERATE conflicts so that every one of the thirteen rules of SPEC §3 fires
  at least once. Each event in such a conflict carries a note starting with
  "DEMO CONFLICT:"; everything else is meant to be conflict-free. docs/sample-plan.md lists
  them.

Deterministic (no randomness, no clock): the same inputs always give the same bytes.
Standard library only. Run from the repository root::

    python tools/build_sample_plan.py
    python -m planner check data/dortbunt-2027.json
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENUES_FILE = ROOT / "data" / "venues.json"
CITIES_FILE = ROOT / "data" / "partner-cities.json"
OUT_FILE = ROOT / "data" / "dortbunt-2027.json"

DAYS = {"fri": "2027-05-07", "sat": "2027-05-08", "sun": "2027-05-09"}
DEMO = "DEMO CONFLICT: "
HOTEL = "hotel-hbf"

# ---------------------------------------------------------------------------------------------
# People. Generic names only: no real living person is named.

PEOPLE = [
    ("ob", "Lord Mayor", "mayor", ["de", "en"]),
    ("dep-becker", "Deputy Mayor A. Becker", "deputy_mayor", ["de", "en"]),
    ("dep-schulte", "Deputy Mayor K. Schulte", "deputy_mayor", ["de", "en"]),
    ("prot-hoffmann", "Protocol Officer J. Hoffmann (head of protocol)", "protocol", ["de", "en"]),
    ("prot-wagner", "Protocol Officer S. Wagner (arrivals, Hauptbahnhof)", "protocol", ["de", "en"]),
    ("prot-brandt", "Protocol Officer T. Brandt (arrivals, airport)", "protocol", ["de", "en"]),
    ("esc-amiens", "Escort (Amiens) L. Schneider", "escort", ["de", "en"]),
    ("esc-leeds", "Escort (Leeds) M. Fischer", "escort", ["de", "en"]),
    ("esc-netanya", "Escort (Netanya) H. Weber", "escort", ["de", "en"]),
    ("esc-novi-sad", "Escort (Novi Sad) P. Meyer", "escort", ["de", "en"]),
    ("esc-xian", "Escort (Xi'an) C. Wolf", "escort", ["de", "en"]),
    ("esc-trabzon", "Escort (Trabzon) B. Schäfer", "escort", ["de", "en"]),
    ("esc-zhytomyr", "Escort (Zhytomyr) F. Koch", "escort", ["de", "en"]),
    ("esc-kumasi", "Escort (Kumasi) D. Richter", "escort", ["de", "en"]),
    ("esc-cluj-napoca", "Escort (Cluj-Napoca) G. Klein", "escort", ["de", "en"]),
    ("int-fr", "Interpreter (French) M. Laurent", "interpreter", ["de", "fr"]),
    ("int-en-1", "Interpreter (English) R. Clarke", "interpreter", ["de", "en"]),
    ("int-en-2", "Interpreter (English) A. Owusu", "interpreter", ["de", "en"]),
    ("int-he", "Interpreter (Hebrew) D. Levin", "interpreter", ["de", "he"]),
    ("int-sr", "Interpreter (Serbian) J. Petrović", "interpreter", ["de", "sr"]),
    ("int-hu", "Interpreter (Hungarian) E. Nagy", "interpreter", ["de", "hu"]),
    ("int-sk", "Interpreter (Slovak) Z. Horváthová", "interpreter", ["de", "sk"]),
    ("int-zh", "Interpreter (Chinese) L. Wang", "interpreter", ["de", "zh"]),
    ("int-tr", "Interpreter (Turkish) E. Yıldız", "interpreter", ["de", "tr"]),
    ("int-uk", "Interpreter (Ukrainian) O. Kovalenko", "interpreter", ["de", "uk"]),
    ("int-ro", "Interpreter (Romanian) I. Popescu", "interpreter", ["de", "ro"]),
    ("press-krueger", "Press Officer L. Krüger", "press", ["de", "en"]),
    ("press-photo", "Photographer P. Schmitt (city press office)", "press", ["de"]),
    ("host", "Festival host T. Richter", "performer", ["de", "en"]),
    ("perf-bigband", "Big Band of the Dortmund Music School", "performer", ["de"]),
    ("perf-choir", "Youth Choir of the Dortmund Music School", "performer", ["de"]),
    ("perf-dj", "DJ collective (Nordstadt)", "performer", ["de", "en"]),
    ("clergy-prot", "Protestant pastor (festival chaplaincy)", "other", ["de"]),
    ("clergy-cath", "Catholic priest (city deanery)", "other", ["de"]),
    ("clergy-jew", "Rabbi (Jewish community)", "other", ["de", "he"]),
    ("clergy-mus", "Imam (council of Muslim communities)", "other", ["de", "tr"]),
]

# ---------------------------------------------------------------------------------------------
# Delegations: (partner-city id, size, arrival day/time/place, departure day/time/place, note)

DELEGATIONS = [
    ("amiens", 6, ("fri", "10:00", "hbf"), ("sun", "16:00", "hbf"), "Deputy mayor and city councillors; Thalys/ICE via Köln."),
    (
        "leeds",
        5,
        ("fri", "09:30", "airport"),
        ("sun", "17:00", "airport"),
        "Lord Mayor of Leeds' office and the twinning association.",
    ),
    (
        "netanya",
        7,
        ("fri", "11:00", "hbf"),
        ("sun", "15:30", "hbf"),
        "City delegation with members of the youth exchange; by train from Düsseldorf airport.",
    ),
    (
        "novi-sad",
        5,
        ("fri", "12:30", "airport"),
        ("sun", "18:00", "airport"),
        "Includes members of the Hungarian and Slovak communities of Novi Sad.",
    ),
    ("xian", 8, ("fri", "08:30", "hbf"), ("sun", "16:30", "hbf"), "Municipal delegation; ICE from Frankfurt airport."),
    ("trabzon", 6, ("fri", "12:00", "airport"), ("sun", "16:00", "airport"), "Municipal delegation; flight via Istanbul."),
    ("zhytomyr", 4, ("fri", "09:00", "hbf"), ("sun", "15:00", "hbf"), "Twin city since 2025; overland via Warsaw and Berlin."),
    (
        "kumasi",
        4,
        ("fri", "14:00", "hbf"),
        ("sun", "17:30", "hbf"),
        "Climate partnership team; by train from Düsseldorf airport.",
    ),
    (
        "cluj-napoca",
        3,
        ("fri", "11:00", "airport"),
        ("sun", "14:30", "airport"),
        "Project partnership (digital innovation), not a twin city.",
    ),
]

INTERPRETER = {
    "amiens": "int-fr",
    "leeds": "int-en-1",
    "netanya": "int-he",
    "novi-sad": "int-sr",
    "xian": "int-zh",
    "trabzon": "int-tr",
    "zhytomyr": "int-uk",
    "kumasi": "int-en-2",
    "cluj-napoca": "int-ro",
}
ALL = [d[0] for d in DELEGATIONS]


def team(*delegations: str) -> list[str]:
    """Escort and interpreter of each delegation: they accompany it to every programme item."""
    people: list[str] = []
    for d in delegations:
        people += [f"esc-{d}", INTERPRETER[d]]
    return people


# ---------------------------------------------------------------------------------------------
# Events

EVENTS: list[dict] = []


def event(
    id,
    title,
    kind,
    day,
    start,
    end,
    venue,
    delegations=(),
    people=(),
    *,
    status="confirmed",
    public=False,
    attendance=None,
    notes="",
    sequence=0,
):
    """Append one event; `day` is fri/sat/sun, times are local wall times HH:MM."""
    record = {
        "id": id,
        "title": title,
        "kind": kind,
        "start": f"{DAYS[day]}T{start}",
        "end": f"{DAYS[day]}T{end}",
        "venue": venue,
        "delegations": list(delegations),
        "people": list(people),
        "status": status,
        "public": public,
    }
    if attendance is not None:
        record["attendance"] = attendance
    record["notes"] = notes
    record["sequence"] = sequence
    EVENTS.append(record)


def add_arrivals_and_departures() -> None:
    """Arrival at Hbf or airport, transfer to the hotel; at the end check-out and departure."""
    greeter = {"hbf": "prot-wagner", "airport": "prot-brandt"}
    place = {"hbf": "Dortmund Hauptbahnhof", "airport": "Dortmund Airport"}
    check_in = {  # hotel check-in after the transfer (hbf -> hotel 10 min, airport -> hotel 30)
        "amiens": "10:45",
        "leeds": "10:45",
        "netanya": "11:45",
        "novi-sad": "13:45",
        "xian": "09:15",
        "trabzon": "13:15",
        "zhytomyr": "09:45",
        "kumasi": "14:45",
        "cluj-napoca": "12:15",
    }
    check_out = {  # Sunday check-out (hotel -> hbf 10 min, hotel -> airport 40)
        "amiens": "15:00",
        "leeds": "15:15",
        "netanya": "14:15",
        "novi-sad": "16:00",
        "xian": "15:15",
        "trabzon": "14:15",
        "zhytomyr": "14:00",
        "kumasi": "16:30",
        "cluj-napoca": "13:00",
    }
    for d, _size, (aday, atime, avia), (dday, dtime, dvia), _note in DELEGATIONS:
        event(
            f"arrival-{d}",
            f"Arrival at {place[avia]}: welcome by the protocol office",
            "transfer",
            aday,
            atime,
            plus(atime, 30),
            avia,
            [d],
            team(d) + [greeter[avia]],
        )
        event(
            f"checkin-{d}",
            "Transfer to the hotel and check-in",
            "transfer",
            aday,
            check_in[d],
            plus(check_in[d], 30),
            HOTEL,
            [d],
            team(d),
        )
        event(
            f"checkout-{d}", "Check-out and transfer", "transfer", dday, check_out[d], plus(check_out[d], 15), HOTEL, [d], team(d)
        )
        event(f"departure-{d}", f"Departure from {place[dvia]}", "transfer", dday, plus(dtime, -30), dtime, dvia, [d], team(d))


def plus(hhmm: str, minutes: int) -> str:
    h, m = map(int, hhmm.split(":"))
    total = h * 60 + m + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def add_golden_book() -> None:
    """One book: the signings follow each other in the Rathaus, never at the same time."""
    signings = [  # (delegation, day, start, signatory)
        ("xian", "fri", "11:00", "ob"),
        ("zhytomyr", "fri", "11:45", "dep-becker"),
        ("amiens", "fri", "12:30", "ob"),
        ("netanya", "fri", "13:15", "dep-schulte"),
        ("cluj-napoca", "fri", "14:15", "dep-schulte"),
        ("trabzon", "fri", "16:00", "ob"),
        ("leeds", "sat", "10:00", "ob"),
        ("novi-sad", "sat", "10:45", "dep-becker"),
    ]
    for d, day, start, signatory in signings:
        extra = ["int-hu", "int-sk"] if d == "novi-sad" else []
        photo = ["press-photo"] if day == "fri" else []
        event(
            f"gb-{d}",
            "Golden Book signing",
            "golden_book",
            day,
            start,
            plus(start, 30),
            "rathaus",
            [d],
            [signatory, "prot-hoffmann"] + team(d) + extra + photo,
            attendance=20,
        )
    # DEMO: golden_book_signatory - neither the Lord Mayor nor a deputy is booked.
    event(
        "gb-kumasi",
        "Golden Book signing",
        "golden_book",
        "sat",
        "09:15",
        "09:45",
        "rathaus",
        ["kumasi"],
        ["prot-hoffmann"] + team("kumasi"),
        status="tentative",
        attendance=20,
        notes=DEMO + "golden_book_signatory. The Lord Mayor has a private appointment on "
        "Saturday morning and no deputy has been asked yet; a signing needs the Lord "
        "Mayor or a deputy present.",
    )
    # DEMO: golden_book_duplicate - Netanya already signed on Friday.
    event(
        "gb-netanya-2",
        "Golden Book signing (youth exchange members)",
        "golden_book",
        "sun",
        "10:00",
        "10:30",
        "rathaus",
        ["netanya"],
        ["ob", "prot-hoffmann"] + team("netanya"),
        status="tentative",
        attendance=20,
        notes=DEMO + "golden_book_duplicate. A second signing was requested for the youth "
        "exchange members, but the delegation already signed on Friday (gb-netanya); "
        "they should sign together once.",
    )
    gb_netanya = next(e for e in EVENTS if e["id"] == "gb-netanya")
    gb_netanya["notes"] = DEMO + "golden_book_duplicate. Netanya's Friday signing; see gb-netanya-2 on Sunday."
    # DEMO: golden_book_venue - the book stays in the Rathaus.
    event(
        "gb-honorary-artists",
        "Golden Book signing: DORTBUNT! honorary artists",
        "golden_book",
        "sat",
        "15:00",
        "15:30",
        "dortmunder-u",
        [],
        ["dep-schulte", "prot-hoffmann"],
        attendance=25,
        notes=DEMO + "golden_book_venue. Planned on the Dortmunder U roof terrace for the "
        "photo; the Golden Book is only signed in the Rathaus.",
    )


def add_friday() -> None:
    t = team
    event("lunch-xian-fri", "Lunch at the hotel restaurant", "meal", "fri", "12:00", "13:00", HOTEL, ["xian"], t("xian"))
    event(
        "tour-xian-mkk",
        "Guided tour: Museum für Kunst und Kulturgeschichte",
        "tour",
        "fri",
        "14:00",
        "15:30",
        "mkk",
        ["xian"],
        t("xian"),
    )
    event(
        "lunch-zhytomyr-fri", "Lunch at the hotel restaurant", "meal", "fri", "12:45", "13:45", HOTEL, ["zhytomyr"], t("zhytomyr")
    )
    event(
        "tour-zhytomyr-u",
        "Guided tour: Dortmunder U",
        "tour",
        "fri",
        "14:30",
        "16:00",
        "dortmunder-u",
        ["zhytomyr"],
        t("zhytomyr"),
    )
    event("lunch-amiens-fri", "Lunch at the hotel restaurant", "meal", "fri", "13:30", "14:30", HOTEL, ["amiens"], t("amiens"))
    event(
        "tour-amiens-fm",
        "Guided tour: Deutsches Fußballmuseum",
        "tour",
        "fri",
        "15:00",
        "16:30",
        "fussballmuseum",
        ["amiens"],
        t("amiens"),
    )
    event("lunch-netanya-fri", "Lunch at the hotel restaurant", "meal", "fri", "14:00", "15:00", HOTEL, ["netanya"], t("netanya"))
    event(
        "tour-netanya-synagogue",
        "Guided walk: Jewish history in Dortmund (Platz der Alten Synagoge)",
        "tour",
        "fri",
        "15:30",
        "16:30",
        "platz-der-alten-synagoge",
        ["netanya"],
        t("netanya"),
    )
    event(
        "lunch-cluj-napoca-fri",
        "Lunch at the hotel restaurant",
        "meal",
        "fri",
        "13:00",
        "14:00",
        HOTEL,
        ["cluj-napoca"],
        t("cluj-napoca"),
    )
    event(
        "meeting-cluj-napoca-digital",
        "Working meeting: digital innovation and smart city projects",
        "meeting",
        "fri",
        "15:30",
        "16:30",
        "dortmunder-u",
        ["cluj-napoca"],
        t("cluj-napoca"),
    )
    event("lunch-trabzon-fri", "Lunch at the hotel restaurant", "meal", "fri", "14:00", "15:00", HOTEL, ["trabzon"], t("trabzon"))
    event(
        "lunch-novi-sad-fri", "Lunch at the hotel restaurant", "meal", "fri", "14:15", "15:15", HOTEL, ["novi-sad"], t("novi-sad")
    )
    event(
        "tour-novi-sad-reinoldi",
        "Guided visit: St. Reinoldi and the old town",
        "tour",
        "fri",
        "15:30",
        "16:30",
        "reinoldikirche",
        ["novi-sad"],
        t("novi-sad"),
    )
    event(
        "meeting-kumasi-climate",
        "Working meeting: climate partnership (environment department)",
        "meeting",
        "fri",
        "15:30",
        "16:30",
        HOTEL,
        ["kumasi"],
        t("kumasi"),
    )
    event(
        "tour-leeds-stadion", "Stadium tour: Signal Iduna Park", "tour", "fri", "12:00", "13:30", "stadion", ["leeds"], t("leeds")
    )
    event("lunch-leeds-fri", "Lunch at the stadium restaurant", "meal", "fri", "13:30", "14:30", "stadion", ["leeds"], t("leeds"))
    event(
        "tour-leeds-westfalenpark",
        "Walk: Westfalenpark and Florianturm",
        "tour",
        "fri",
        "15:00",
        "16:15",
        "westfalenpark",
        ["leeds"],
        t("leeds"),
    )
    event(
        "reception-partners",
        "Lord Mayor's reception for the partner cities",
        "reception",
        "fri",
        "17:00",
        "18:30",
        "rathaus",
        ALL,
        ["ob", "dep-becker", "dep-schulte", "prot-hoffmann", "press-photo"] + team(*ALL),
        attendance=120,
    )
    event(
        "ob-council-committee",
        "Lord Mayor: council committee meeting (Main and Finance Committee)",
        "unavailable",
        "fri",
        "14:00",
        "15:30",
        None,
        [],
        ["ob"],
    )


def add_saturday() -> None:
    t = team
    event("ob-private-sat", "Lord Mayor: private appointment", "unavailable", "sat", "08:00", "09:30", None, [], ["ob"])
    # DEMO: venue_overlap at a venue with max_parallel 3 (four guided groups at once).
    u_note = (
        DEMO + "venue_overlap (max_parallel 3). Four guided groups booked at the "
        "Dortmunder U between 11:30 and 12:30; the museum's education service runs at "
        "most three at a time."
    )
    event(
        "tour-leeds-u",
        "Guided tour: Dortmunder U",
        "tour",
        "sat",
        "11:00",
        "12:30",
        "dortmunder-u",
        ["leeds"],
        t("leeds"),
        notes=u_note,
    )
    event(
        "tour-amiens-u",
        "Guided tour: Dortmunder U",
        "tour",
        "sat",
        "11:00",
        "12:30",
        "dortmunder-u",
        ["amiens"],
        t("amiens"),
        notes=u_note,
    )
    event(
        "tour-kumasi-u",
        "Guided tour: Dortmunder U",
        "tour",
        "sat",
        "11:15",
        "12:45",
        "dortmunder-u",
        ["kumasi"],
        t("kumasi"),
        notes=u_note,
    )
    event(
        "tour-cluj-napoca-u",
        "Guided tour: Dortmunder U creative labs",
        "tour",
        "sat",
        "11:30",
        "13:00",
        "dortmunder-u",
        ["cluj-napoca"],
        t("cluj-napoca"),
        notes=u_note,
    )
    event("lunch-leeds-sat", "Lunch at the hotel restaurant", "meal", "sat", "13:00", "14:00", HOTEL, ["leeds"], t("leeds"))
    # DEMO: delegation_overlap (lunch runs into the Amiens youth band's set).
    event(
        "lunch-amiens-sat",
        "Lunch at the hotel restaurant",
        "meal",
        "sat",
        "13:00",
        "14:15",
        HOTEL,
        ["amiens"],
        t("amiens"),
        notes=DEMO + "delegation_overlap. Lunch was extended to 14:15 but the delegation "
        "is booked to watch the Amiens youth band at 14:00 (slot-platz-von-amiens-sat-1400).",
    )
    event("lunch-kumasi-sat", "Lunch at the hotel restaurant", "meal", "sat", "13:15", "14:15", HOTEL, ["kumasi"], t("kumasi"))
    event(
        "tour-kumasi-phoenix",
        "Climate partnership: urban renewal at the Phoenix-See",
        "tour",
        "sat",
        "15:00",
        "16:30",
        "phoenix-see",
        ["kumasi"],
        t("kumasi"),
    )
    event(
        "lunch-cluj-napoca-sat",
        "Lunch at the hotel restaurant",
        "meal",
        "sat",
        "13:30",
        "14:30",
        HOTEL,
        ["cluj-napoca"],
        t("cluj-napoca"),
    )
    event(
        "tour-novi-sad-mkk",
        "Guided tour: Museum für Kunst und Kulturgeschichte",
        "tour",
        "sat",
        "11:45",
        "13:00",
        "mkk",
        ["novi-sad"],
        t("novi-sad"),
    )
    event(
        "lunch-novi-sad-sat", "Lunch at the hotel restaurant", "meal", "sat", "13:15", "14:15", HOTEL, ["novi-sad"], t("novi-sad")
    )
    # DEMO: venue_closed (Kokerei Hansa closes at 16:00).
    event(
        "tour-novi-sad-hansa",
        "Guided tour: Kokerei Hansa",
        "tour",
        "sat",
        "15:00",
        "16:30",
        "hansa",
        ["novi-sad"],
        t("novi-sad"),
        notes=DEMO + "venue_closed. The tour runs to 16:30 but Kokerei Hansa closes at 16:00 (opening hours 10:00-16:00).",
    )
    # DEMO: capacity (Zeche Zollern holds 170).
    event(
        "tour-zollern",
        "Industrial heritage tour: Zeche Zollern, with the friendship societies",
        "tour",
        "sat",
        "10:00",
        "12:00",
        "zollern",
        ["xian", "zhytomyr"],
        t("xian", "zhytomyr"),
        attendance=180,
        notes=DEMO + "capacity. Members of the Dortmund-Xi'an friendship society and the "
        "Ukrainian community association were invited too: 180 guests, the museum "
        "takes 170.",
    )
    event(
        "lunch-zollern",
        "Lunch at the museum restaurant, Zeche Zollern",
        "meal",
        "sat",
        "12:00",
        "13:00",
        "zollern",
        ["xian", "zhytomyr"],
        t("xian", "zhytomyr"),
    )
    event(
        "boat-xian",
        "Boat trip on the Phoenix-See",
        "tour",
        "sat",
        "16:00",
        "17:00",
        "phoenix-see",
        ["xian"],
        t("xian"),
        status="cancelled",
        sequence=1,
        notes="Cancelled: the boat operator has no licence for groups on the festival weekend.",
    )
    event(
        "tour-fm-netanya-trabzon",
        "Guided tour: Deutsches Fußballmuseum",
        "tour",
        "sat",
        "10:30",
        "12:00",
        "fussballmuseum",
        ["netanya", "trabzon"],
        t("netanya", "trabzon"),
    )
    event("lunch-netanya-sat", "Lunch at the hotel restaurant", "meal", "sat", "12:30", "13:45", HOTEL, ["netanya"], t("netanya"))
    # DEMO: interpreter_missing (no Turkish speaker at the lunch).
    event(
        "lunch-trabzon-business",
        "Lunch with the Turkish-German business association",
        "meal",
        "sat",
        "12:30",
        "13:45",
        HOTEL,
        ["trabzon"],
        ["esc-trabzon"],
        notes=DEMO + "interpreter_missing. The Turkish interpreter was not booked for the "
        "lunch; escort and hosts speak German and English only.",
    )
    # DEMO: travel_time (explicit travel entry Rathaus -> Westfalenpark: 20 min).
    event(
        "ob-press-music-day",
        "Lord Mayor: press talk on the music day",
        "press",
        "sat",
        "17:00",
        "17:45",
        "rathaus",
        [],
        ["ob", "press-krueger"],
        notes=DEMO + "travel_time. The press talk ends 17:45 and the Lord Mayor hosts the "
        "dinner in the Westfalenpark at 18:00; the travel table gives 20 min.",
    )
    event(
        "dinner-partners",
        "Partner cities dinner in the Westfalenpark",
        "meal",
        "sat",
        "18:00",
        "20:00",
        "westfalenpark",
        ALL,
        ["ob", "dep-becker", "dep-schulte"] + team(*ALL),
        attendance=95,
        notes=DEMO + "travel_time (Lord Mayor arrives from the press talk in the Rathaus, see ob-press-music-day).",
    )
    event(
        "ob-regional-sat",
        "Lord Mayor: regional meeting outside Dortmund",
        "unavailable",
        "sat",
        "14:00",
        "16:00",
        None,
        [],
        ["ob"],
    )


def add_sunday() -> None:
    t = team
    event(
        "walk-leeds-phoenix",
        "Morning walk around the Phoenix-See",
        "tour",
        "sun",
        "09:30",
        "11:00",
        "phoenix-see",
        ["leeds"],
        t("leeds"),
        notes=DEMO + "person_overlap. Interpreter R. Clarke (int-en-1) accompanies Leeds "
        "here and is also booked for the Kumasi meeting (meeting-kumasi-sun).",
    )
    # DEMO: person_overlap (interpreter double-booked).
    event(
        "meeting-kumasi-sun",
        "Climate partnership: follow-up meeting in the Westfalenpark",
        "meeting",
        "sun",
        "10:00",
        "11:00",
        "westfalenpark",
        ["kumasi"],
        ["dep-becker", "esc-kumasi", "int-en-1"],
        notes=DEMO + "person_overlap. Interpreter R. Clarke (int-en-1) is booked here while "
        "accompanying the Leeds walk at the Phoenix-See (walk-leeds-phoenix).",
    )
    event(
        "tour-xian-dasa",
        "Guided tour: DASA Arbeitswelt Ausstellung",
        "tour",
        "sun",
        "10:00",
        "11:15",
        "dasa",
        ["xian"],
        t("xian"),
    )
    event(
        "tour-amiens-reinoldi",
        "Guided visit: St. Reinoldi",
        "tour",
        "sun",
        "10:30",
        "11:15",
        "reinoldikirche",
        ["amiens"],
        t("amiens"),
    )
    event(
        "meeting-zhytomyr-community",
        "Meeting with the Ukrainian community association",
        "meeting",
        "sun",
        "10:00",
        "11:00",
        HOTEL,
        ["zhytomyr"],
        t("zhytomyr") + ["prot-brandt"],
        status="tentative",
    )
    farewell = [d for d in ALL if d != "cluj-napoca"]
    event(
        "lunch-farewell",
        "Farewell lunch",
        "meal",
        "sun",
        "13:00",
        "14:00",
        HOTEL,
        farewell,
        ["dep-schulte", "prot-hoffmann"] + team(*farewell),
        attendance=75,
    )
    # DEMO: outside_stay (after Trabzon's flight).
    event(
        "tour-trabzon-stadion",
        "Stadium tour: Signal Iduna Park",
        "tour",
        "sun",
        "17:00",
        "18:30",
        "stadion",
        ["trabzon"],
        t("trabzon"),
        status="tentative",
        notes=DEMO + "outside_stay. Requested by the delegation, but their flight leaves "
        "at 16:00; the tour is after the departure.",
    )
    event("ob-private-sun", "Lord Mayor: appointment outside Dortmund", "unavailable", "sun", "15:00", "18:00", None, [], ["ob"])


# ---------------------------------------------------------------------------------------------
# The festival programme: per stage and day (start, end, title, extra fields).

PRAYER = ["ob", "host", "perf-choir", "clergy-prot", "clergy-cath", "clergy-jew", "clergy-mus"]
VISITS_SAT_EVENING = ALL

FESTIVAL = {
    "friedensplatz": {
        "fri": [
            ("17:00", "18:15", "Warm-up: school bands and the music school big band", {"people": ["perf-bigband"]}),
            (
                "19:00",
                "21:45",
                "Opening concert DORTBUNT! 2027",
                {"id": "opening-concert", "delegations": ALL, "people": ["ob", "host"], "attendance": 12000},
            ),
        ],
        "sat": [
            ("13:00", "14:00", "Brass band parade finale", {}),
            ("14:30", "15:45", "Pop from the Ruhr: local bands", {}),
            ("16:15", "17:30", "Soul and funk", {}),
            ("18:00", "19:45", "Singer-songwriter evening", {}),
            (
                "20:30",
                "21:45",
                "Headliner: Ruhr rock night",
                {"id": "headliner-sat", "delegations": VISITS_SAT_EVENING, "attendance": 14000},
            ),
        ],
        "sun": [
            (
                "12:00",
                "12:45",
                "Interfaith peace prayer with the Lord Mayor",
                {"id": "peace-prayer", "delegations": ALL, "people": PRAYER, "attendance": 3000},
            ),
            ("13:15", "14:15", "Family concert", {}),
            ("14:45", "16:00", "Gospel choirs", {}),
            ("16:30", "18:00", "Closing concert", {}),
        ],
    },
    "alter-markt": {
        "fri": [("18:00", "19:15", "Cabaret evening: Ruhr dialect", {}), ("19:45", "21:00", "Political cabaret", {})],
        "sat": [
            ("12:00", "13:00", "Music day opening", {"id": "music-day-opening", "people": ["ob", "host", "perf-bigband"]}),
            ("13:20", "14:20", "A-cappella ensembles", {}),
            ("14:40", "15:40", "Jazz quartet", {"delegations": ["xian", "zhytomyr"]}),
            ("16:00", "17:15", "Blues session", {}),
            ("17:35", "18:50", "Latin and salsa", {}),
            ("19:10", "20:25", "Cover band", {}),
            ("20:45", "22:00", "Music day finale", {}),
        ],
        "sun": [
            ("13:00", "14:00", "Talk stage: living together in Dortmund", {}),
            ("14:30", "15:30", "Poetry slam", {}),
            ("16:00", "17:00", "Cabaret for families", {}),
        ],
    },
    "hansaplatz": {
        "fri": [("18:00", "19:00", "Comedy open mic", {}), ("19:30", "21:30", "Rock night: local bands", {})],
        "sat": [
            ("12:30", "13:45", "Comedy lunch", {}),
            ("14:30", "15:30", "Anatolian rock", {"delegations": ["trabzon"]}),
            ("16:00", "17:00", "Metal afternoon", {"demo": "hansa-overlap"}),
            ("16:30", "17:15", "Extra set: street band", {"demo": "hansa-overlap", "status": "tentative"}),
            ("17:45", "19:00", "Indie rock", {}),
            ("19:30", "21:30", "Rock night II", {}),
        ],
        "sun": [
            ("13:00", "14:00", "Comedy for kids", {}),
            ("14:30", "15:30", "Rock'n'roll matinee", {}),
            ("16:00", "17:30", "Closing session", {}),
        ],
    },
    "kleppingstrasse": {
        "fri": [("18:00", "19:30", "Independent scene showcase", {}), ("20:00", "21:45", "Electro-pop", {})],
        "sat": [
            ("12:00", "13:15", "Singer-songwriters", {}),
            ("13:45", "15:00", "Indie folk", {}),
            ("15:30", "16:45", "Garage rock", {}),
            ("17:15", "18:30", "Hip-hop from the Nordstadt", {}),
            ("19:00", "20:15", "Post-rock", {}),
            ("20:45", "22:30", "Late set: indie night", {"demo": "quiet"}),
        ],
        "sun": [
            ("12:00", "13:00", "Children's stage: puppet theatre with music", {}),
            ("13:30", "14:30", "Children's disco", {}),
            ("15:00", "16:00", "Children's songs", {}),
        ],
    },
    "platz-von-netanya": {
        "fri": [("18:30", "19:30", "Music school ensembles", {}), ("20:00", "21:00", "Klezmer", {})],
        "sat": [
            ("12:00", "13:00", "Music school strings", {}),
            ("13:30", "14:15", "Recorder ensemble", {}),
            ("14:30", "15:30", "Choirs meet Netanya", {"delegations": ["netanya"], "people": ["perf-choir"]}),
            ("16:00", "17:00", "Youth orchestra", {}),
            ("17:30", "18:30", "Piano and voice", {}),
            ("19:00", "20:30", "Chamber jazz", {}),
        ],
        "sun": [
            ("13:00", "14:00", "Family choir singing", {}),
            ("14:30", "15:30", "Music school percussion", {}),
            ("16:00", "17:00", "Songs of the partner cities", {}),
        ],
    },
    "platz-von-leeds": {
        "fri": [("18:00", "19:00", "Brit-pop covers", {}), ("19:30", "21:00", "Folk and Americana", {})],
        "sat": [
            ("12:30", "13:30", "Acoustic lunch", {}),
            ("14:30", "15:30", "Folk from Yorkshire and the Ruhr", {"delegations": ["leeds"]}),
            ("16:00", "17:00", "Ska", {"demo": "changeover"}),
            ("17:05", "18:00", "Northern soul DJ set", {"demo": "changeover"}),
            ("18:30", "20:00", "Indie pop", {}),
            ("20:30", "21:45", "Britpop night", {}),
        ],
        "sun": [
            ("12:30", "13:45", "Sunday jazz brunch", {}),
            ("14:15", "15:00", "Brass and highlife", {"delegations": ["leeds", "kumasi"]}),
            ("15:30", "16:30", "Acoustic farewell", {}),
        ],
    },
    "platz-von-amiens": {
        "fri": [("17:30", "18:30", "Youth area: DJ workshop", {}), ("19:00", "21:00", "Youth band contest: heats", {})],
        "sat": [
            ("12:00", "13:30", "Breakdance battle", {}),
            ("14:00", "15:00", "Youth band from Amiens", {"delegations": ["amiens"], "demo": "amiens-overlap"}),
            ("15:30", "16:30", "Youth theatre", {}),
            ("17:00", "18:30", "Youth band contest: final", {}),
            ("19:00", "21:00", "Youth party", {}),
        ],
        "sun": [
            ("12:00", "13:00", "Graffiti workshop with music", {}),
            ("13:30", "15:00", "Youth choir", {}),
            ("15:30", "17:00", "Open stage", {}),
        ],
    },
    "platz-der-alten-synagoge": {
        "fri": [("18:00", "19:30", "Chamber pop", {}), ("20:00", "21:30", "Jazz evening", {})],
        "sat": [
            ("12:30", "13:30", "Opera highlights (open air)", {}),
            ("14:00", "15:15", "Tango", {}),
            ("15:45", "17:00", "World music", {}),
            ("17:30", "19:00", "Swing orchestra", {}),
            ("19:30", "21:00", "Jazz night", {}),
        ],
        "sun": [
            ("13:00", "14:00", "Musical matinee", {}),
            ("14:30", "15:30", "Dance school show", {}),
            ("16:00", "17:30", "Big band", {}),
        ],
    },
    "brueckstrasse": {
        "fri": [
            ("18:30", "19:30", "Rising Stage: young classical soloists", {}),
            ("20:00", "21:30", "Klangvokal: vocal ensembles", {}),
        ],
        "sat": [
            ("13:00", "14:15", "Klangvokal: street choirs", {}),
            ("15:00", "16:00", "Rising Stage: young classical", {"delegations": ["cluj-napoca"]}),
            ("16:30", "17:30", "Klangvokal: a-cappella", {}),
            ("18:00", "19:15", "Rising Stage: piano trio", {}),
            ("19:45", "21:15", "Klangvokal: gospel night", {}),
        ],
        "sun": [
            ("13:00", "14:00", "Rising Stage: string quartet", {}),
            ("14:30", "15:30", "Klangvokal: children's choir", {}),
            ("16:00", "17:00", "Klangvokal: closing", {}),
        ],
    },
    "reinoldikirche": {
        "sat": [("16:00", "17:00", "Klangvokal: choral vespers", {}), ("18:00", "19:00", "Organ concert", {})],
        "sun": [("15:00", "16:00", "Klangvokal: closing concert in St. Reinoldi", {})],
    },
    "stadtgarten": {
        "sat": [("13:00", "14:00", "Family picnic concert", {}), ("15:00", "16:30", "Drum circle", {})],
        "sun": [
            ("12:30", "13:30", "Family circus", {}),
            ("14:30", "15:30", "Children's theatre with music", {"delegations": ["novi-sad"]}),
            ("16:00", "17:00", "Family disco", {}),
        ],
    },
    "ostwallpark": {
        "sat": [
            ("14:00", "15:30", "Chill-out DJ set", {}),
            ("16:00", "18:00", "DJ collective: Nordstadt beats", {"people": ["perf-dj"]}),
            ("18:30", "20:30", "Electronic sunset", {}),
        ],
        "sun": [("13:00", "15:00", "DJ collective: Sunday session", {"people": ["perf-dj"], "status": "tentative"})],
    },
}

DEMO_NOTES = {
    "hansa-overlap": DEMO + "venue_overlap. The booking team added a street band's extra set at "
    "16:30 while the metal set runs until 17:00 on the same stage.",
    "changeover": DEMO + "changeover. Only 5 minutes between the ska set and the DJ set; the stage needs 15 minutes.",
    "quiet": DEMO + "quiet_hours. The late set runs to 22:30 on an amplified stage; quiet hours start at 22:00.",
    "amiens-overlap": DEMO + "delegation_overlap. The Amiens delegation is still at lunch "
    "(lunch-amiens-sat, until 14:15) when the set starts.",
}


def add_festival() -> None:
    for stage, days in FESTIVAL.items():
        for day, slots in days.items():
            for start, end, title, extra in slots:
                event(
                    extra.get("id", f"slot-{stage}-{day}-{start.replace(':', '')}"),
                    title,
                    "festival_slot",
                    day,
                    start,
                    end,
                    stage,
                    extra.get("delegations", []),
                    extra.get("people", []),
                    status=extra.get("status", "confirmed"),
                    public=True,
                    attendance=extra.get("attendance"),
                    notes=DEMO_NOTES.get(extra.get("demo", ""), ""),
                )


# ---------------------------------------------------------------------------------------------


def build() -> dict:
    venues = json.loads(VENUES_FILE.read_text(encoding="utf-8"))
    for venue in venues:
        venue.pop("source", None)
    cities = {c["id"]: c for c in json.loads(CITIES_FILE.read_text(encoding="utf-8"))}

    delegations = []
    for d, size, (aday, atime, _avia), (dday, dtime, _dvia), note in DELEGATIONS:
        city = cities[d]
        delegations.append(
            {
                "id": d,
                "city": city["city"],
                "country": city["country"],
                "size": size,
                "languages": list(city["languages"]),
                "arrival": f"{DAYS[aday]}T{atime}",
                "departure": f"{DAYS[dday]}T{dtime}",
                "hotel": HOTEL,
                "notes": note,
            }
        )

    EVENTS.clear()
    add_arrivals_and_departures()
    add_golden_book()
    add_friday()
    add_saturday()
    add_sunday()
    add_festival()
    events = sorted(EVENTS, key=lambda e: (e["start"], e["end"], e["id"]))

    return {
        "format": "dortbunt-plan/1",
        "name": "DORTBUNT! 2027",
        "timezone": "Europe/Berlin",
        "festival": {"start": "2027-05-07", "end": "2027-05-09", "quiet_hours": ["22:00", "07:00"]},
        "rules": {
            "walk_kmh": 4.8,
            "drive_kmh": 25,
            "walk_max_km": 1.5,
            "detour": 1.3,
            "drive_overhead_min": 10,
            "disabled": [],
            "severity": {},
        },
        "venues": venues,
        "travel": [
            {"from": "hbf", "to": HOTEL, "minutes": 10},
            {"from": "airport", "to": HOTEL, "minutes": 30},
            {"from": HOTEL, "to": "airport", "minutes": 40},
            {"from": "rathaus", "to": "westfalenpark", "minutes": 20},
        ],
        "people": [{"id": i, "name": n, "role": r, "languages": langs} for i, n, r, langs in PEOPLE],
        "delegations": delegations,
        "events": events,
    }


def main() -> None:
    plan = build()
    OUT_FILE.write_text(json.dumps(plan, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    slots = sum(1 for e in plan["events"] if e["kind"] == "festival_slot")
    stages = {e["venue"] for e in plan["events"] if e["kind"] == "festival_slot"}
    print(
        f"wrote {OUT_FILE.relative_to(ROOT)}: {len(plan['delegations'])} delegations, "
        f"{len(plan['events'])} events, {slots} festival slots on {len(stages)} places"
    )


if __name__ == "__main__":
    main()
