"""Why requests cannot be placed, in the office's words: "Golden Book Leeds: the Lord Mayor is
busy during the whole window Fri 7 May 2027 09:00–12:00 ("Council" 09:00–12:00)".

An item that fits nowhere on its own is explained by the layer of its start domain that
leaves nothing free (its delegation's stay, the venue's hours, a party's diary, …) or, when
no single layer does, by the parties that are never free at the same time. Items that each
fit alone but not together are explained by what they compete for.
"""

from __future__ import annotations

from planner.plan.model import SIGNATORY_ROLES, Event, Plan
from planner.rules.messages import Describer
from planner.scheduling.items import Blocker, Item, Outcome
from planner.scheduling.start_domains import Frame, Layers

_TEXT = {
    "en": {
        "windows": "its {minutes} min do not fit into {windows}",
        "stay": "{who} is in Dortmund only {stay}",
        "arrives": "from {arrival}",
        "leaves": "until {departure}",
        "closed": "{venue} is not open for {minutes} min within {windows}",
        "never_open": "{venue} has no opening hours at all",
        "quiet": "{venue} is amplified and {windows} lies in the quiet hours",
        "venue": "{venue} is in use during the whole of {windows}{events}",
        "golden_book": "the Golden Book is in use during the whole of {windows}{events}",
        "after": "it must start {gap} min after {event}, which is too late for {windows}",
        "party": "{who} is busy or on the way during the whole of {windows}{events}",
        "together": "there are no {minutes} min in {windows} when {who} are all free (with travel between venues)",
        "no_book": "{venue} has no Golden Book",
        "capacity": "{venue} holds {capacity}, but {attendance} would attend",
        "one_of": "none of {who} is free when everything else is",
        "signatory_none": "no Lord Mayor or deputy is among its people or one-of groups",
        "signatory": "no Lord Mayor or deputy among its one-of groups is free when everything else is",
        "interpreter_none": "nobody among its people speaks a language of {who}",
        "interpreter": "no interpreter for {who} among its one-of groups is free when everything else is",
        "at": "at {venue}: {why}",
        "alone": "{item}: {why}",
        "core": "{items} cannot all be placed: each fits on its own, but together they need {what} more than is free in {span}",
        "core_plain": "{items} cannot all be placed together (their windows, venues and “after” links exclude each other)",
        "and": "and",
        "or": "or",
        "book": "the Golden Book",
        "more": "{n} more",
        "unknown": "no placement was found within the time limit; try a longer --time-limit",
        "dependency": "it must come after {item}, which cannot be placed",
    },
    "de": {
        "windows": "die {minutes} Min. passen nicht in {windows}",
        "stay": "{who} ist nur {stay} in Dortmund",
        "arrives": "ab {arrival}",
        "leaves": "bis {departure}",
        "closed": "{venue} ist in {windows} nicht {minutes} Min. am Stück geöffnet",
        "never_open": "{venue} hat keine Öffnungszeiten",
        "quiet": "{venue} ist beschallt und {windows} liegt in der Nachtruhe",
        "venue": "{venue} ist in {windows} durchgehend belegt{events}",
        "golden_book": "das Goldene Buch ist in {windows} durchgehend im Einsatz{events}",
        "after": "es muss {gap} Min. nach {event} beginnen, das ist zu spät für {windows}",
        "party": "{who} ist in {windows} durchgehend belegt oder unterwegs{events}",
        "together": "in {windows} gibt es keine {minutes} Min., in denen {who} alle frei sind (mit Wegezeiten)",
        "no_book": "{venue} hat kein Goldenes Buch",
        "capacity": "{venue} fasst {capacity}, es kämen aber {attendance}",
        "one_of": "keine(r) von {who} ist frei, wenn alles andere passt",
        "signatory_none": "weder der Oberbürgermeister noch eine Stellvertretung ist unter den Personen oder Auswahlgruppen",
        "signatory": "kein Oberbürgermeister und keine Stellvertretung aus den Auswahlgruppen ist frei, wenn alles andere passt",
        "interpreter_none": "niemand unter den Personen spricht eine Sprache von {who}",
        "interpreter": "keine Dolmetschung für {who} aus den Auswahlgruppen ist frei, wenn alles andere passt",
        "at": "in {venue}: {why}",
        "alone": "{item}: {why}",
        "core": "{items} lassen sich nicht alle einplanen: jedes passt für sich, zusammen brauchen sie aber {what} länger, "
        "als in {span} frei ist",
        "core_plain": "{items} lassen sich nicht zusammen einplanen (Zeitfenster, Orte und „nach“-Bedingungen "
        "schließen sich aus)",
        "and": "und",
        "or": "oder",
        "book": "das Goldene Buch",
        "more": "{n} weitere",
        "unknown": "innerhalb des Zeitlimits wurde keine Einplanung gefunden; ein längeres --time-limit hilft vielleicht",
        "dependency": "es muss nach {item} kommen, das sich nicht einplanen lässt",
    },
}


class Explainer:
    def __init__(self, plan: Plan, frame: Frame, lang: str = "en"):
        self.plan, self.frame, self.lang = plan, frame, lang
        self.say = Describer(plan, lang)
        self.text = _TEXT[lang]

    def t(self, key: str, **values) -> str:
        return self.text[key].format(**values)

    # -- pieces ---------------------------------------------------------------------------

    def listing(self, names: list[str], joiner: str = "and") -> str:
        if len(names) <= 1:
            return "".join(names)
        return f"{', '.join(names[:-1])} {self.text[joiner]} {names[-1]}"

    def windows(self, item: Item) -> str:
        return f" {self.text['or']} ".join(self.say.span(a, b) for a, b in item.windows)

    def who(self, party: str) -> str:
        return self.say.person(party) if party in self.plan.people else self.say.delegation(party)

    def item_name(self, item: Item) -> str:
        return f"“{item.title}” ({item.id})" if item.title != item.id else item.id

    def events(self, events: list[Event], item: Item) -> str:
        """The events among `events` that touch the item's windows, a few of them by name."""
        inside = [e for e in events if any(e.start < b and e.end > a for a, b in item.windows)]
        if not inside:
            return ""
        shown = [self.say.event(e, with_day=False) for e in inside[:3]]
        if len(inside) > 3:
            shown.append(self.t("more", n=len(inside) - 3))
        return f" ({'; '.join(shown)})"

    def party_events(self, party: str) -> list[Event]:
        entries = self.frame.by_party.get(party)
        return [f.event for f in entries[0]] if entries else []

    # -- one layer --------------------------------------------------------------------------

    def layer(self, blocker: Blocker, item: Item) -> str:
        plan, say = self.plan, self.say
        windows = self.windows(item)
        what = blocker.what
        if what == "stay":
            assert blocker.party is not None  # `Layers` names the party of every stay layer
            stay = plan.delegations[blocker.party]
            parts = [
                self.t("arrives", arrival=say.moment(stay.arrival)) if stay.arrival else "",
                self.t("leaves", departure=say.moment(stay.departure)) if stay.departure else "",
            ]
            return self.t("stay", who=self.who(blocker.party), stay=" ".join(p for p in parts if p))
        if what == "closed":
            return self.t("closed", venue=say.venue(blocker.venue), minutes=item.duration, windows=windows)
        if what == "quiet":
            return self.t("quiet", venue=say.venue(blocker.venue), windows=windows)
        if what == "venue":
            return self.t(
                "venue", venue=say.venue(blocker.venue), windows=windows, events=self.events(list(blocker.events), item)
            )
        if what == "golden_book":
            return self.t("golden_book", windows=windows, events=self.events(list(blocker.events), item))
        if what == "after":
            return self.t("after", gap=blocker.detail["gap"], event=say.event(blocker.events[0]), windows=windows)
        if what == "party":
            assert blocker.party is not None  # `Layers` names the party of every party layer
            return self.t(
                "party", who=self.who(blocker.party), windows=windows, events=self.events(self.party_events(blocker.party), item)
            )
        raise ValueError(what)

    def at_venue(self, item: Item, venue_id: str) -> str:
        """Why the item has no time at this venue: the layers that alone leave nothing, else
        the parties and places that are never free together."""
        layers = Layers(self.frame, item, venue_id)
        if layers.windows.is_empty():
            return self.t("windows", minutes=item.duration, windows=self.windows(item))
        alone = [b for b, layer in layers.layers if layers.windows.intersection_with(layer).is_empty()]
        if alone:
            return "; ".join(self.layer(b, item) for b in alone)
        cutting = [b for b, layer in layers.layers if not layers.windows.is_included_in(layer)]
        names = []
        for b in cutting:
            if b.what in ("party", "stay"):
                assert b.party is not None  # `Layers` names the party of every stay and party layer
                names.append(self.who(b.party))
            elif b.what in ("venue", "closed", "quiet"):
                names.append(self.say.venue(b.venue))
            elif b.what == "golden_book":
                names.append(self.text["book"])
        names = list(dict.fromkeys(names))
        return self.t("together", minutes=item.duration, windows=self.windows(item), who=self.listing(names))

    def static(self, blocker: Blocker, item: Item) -> str:
        say = self.say
        what = blocker.what
        if what == "no_book":
            return self.t("no_book", venue=say.venue(blocker.venue))
        if what == "capacity":
            return self.t("capacity", venue=say.venue(blocker.venue), **blocker.detail)
        if what == "closed":
            return self.t("never_open", venue=say.venue(blocker.venue))
        if what == "time":
            assert blocker.venue is not None  # a "time" blocker is made for one venue (`Model._item`)
            return self.at_venue(item, blocker.venue)
        if what == "one_of":
            return self.t("one_of", who=self.listing([self.who(p) for p in blocker.group], "or"))
        if what == "signatory":
            candidates = {p for g in item.one_of for p in g if self.plan.people[p].role in SIGNATORY_ROLES}
            return self.t("signatory" if candidates else "signatory_none")
        if what.startswith("interpreter:"):
            delegation = what.split(":", 1)[1]
            languages = set(self.plan.delegations[delegation].languages)
            candidates = {p for g in item.one_of for p in g if languages & set(self.plan.people[p].languages)}
            return self.t("interpreter" if candidates else "interpreter_none", who=self.who(delegation))
        raise ValueError(what)

    def stuck(self, item: Item, blockers: list[Blocker]) -> str:
        """One line: why the item fits nowhere, venue by venue where the reasons differ."""
        if not blockers:
            return self.t("alone", item=self.item_name(item), why=self.t("unknown"))
        reasons = [(b.venue, self.static(b, item)) for b in blockers]
        texts = list(dict.fromkeys(text for _, text in reasons))
        if len(texts) == 1 or all(v is None for v, _ in reasons):
            why = "; ".join(texts)
        else:
            why = "; ".join(self.t("at", venue=self.say.venue(v), why=text) if v else text for v, text in reasons)
        return self.t("alone", item=self.item_name(item), why=why)

    def core(self, items: list[Item]) -> str:
        """Why required items that each fit alone cannot all be placed: what they share."""
        names = self.listing([self.item_name(i) for i in items])
        shared: list[str] = []
        counts: dict[str, int] = {}
        for item in items:
            for party in {*item.people, *item.delegations}:
                counts[party] = counts.get(party, 0) + 1
        shared += [self.who(p) for p, n in counts.items() if n > 1]
        venue_sets = [set(i.venues) for i in items]
        common = set.intersection(*venue_sets) if venue_sets else set()
        if common and all(len(v) == 1 for v in venue_sets):
            shared += [self.say.venue(v) for v in sorted(common)]
        if sum(1 for i in items if i.kind == "golden_book") > 1:
            shared.append(self.text["book"])
        if not shared:
            return self.t("core_plain", items=names)
        start = min(a for i in items for a, _ in i.windows)
        end = max(b for i in items for _, b in i.windows)
        return self.t(
            "core", items=names, what=self.listing(sorted(set(shared), key=shared.index)), span=self.say.span(start, end)
        )


def explain(plan: Plan, frame: Frame, items: list[Item], outcome: Outcome, lang: str = "en") -> list[str]:
    """One line per reason that the required items could not all be placed."""
    explainer = Explainer(plan, frame, lang)
    by_id = {i.id: i for i in items}
    lines = [explainer.stuck(by_id[i], blockers) for i, blockers in outcome.stuck.items() if by_id[i].required]
    for item in items:
        if item.required and item.id not in outcome.stuck:
            for target, _ in item.after:
                if target in outcome.stuck:
                    lines.append(
                        explainer.t(
                            "alone",
                            item=explainer.item_name(item),
                            why=explainer.t("dependency", item=explainer.item_name(by_id[target])),
                        )
                    )
    if lines:
        return lines
    if outcome.core:
        return [explainer.core([by_id[i] for i in outcome.core])]
    return [explainer.t("unknown")]
