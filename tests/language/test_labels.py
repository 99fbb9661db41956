"""Labels for choosing a delegation: never two alike, even from the same city."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from support.paths import DATA

from planner import load_plan
from planner.language.labels import delegation_labels
from planner.plan.writing import new_delegation_id

SAMPLE = load_plan(DATA / "dortbunt-2027.json")


def test_a_city_alone_names_a_delegation_until_a_second_one_comes_from_it():
    assert delegation_labels(SAMPLE)["kumasi"] == "Kumasi (GH)"
    plan = replace(
        SAMPLE,
        delegations={
            **SAMPLE.delegations,
            "kumasi-2": replace(SAMPLE.delegations["kumasi"], id="kumasi-2", arrival=None, departure=None),
        },
    )
    labels = delegation_labels(plan)
    assert labels["kumasi"] == "Kumasi (GH), Fri 7 May – Sun 9 May" and labels["kumasi-2"] == "Kumasi (GH)"
    assert delegation_labels(plan, "de")["kumasi"] == "Kumasi (GH), Fr., 7. Mai – So., 9. Mai"
    assert labels["leeds"] == "Leeds (GB)"


@given(st.lists(st.sampled_from(["kumasi", "leeds", "amiens"]), min_size=1, max_size=6), st.booleans())
def test_no_two_delegations_ever_look_the_same(copies, same_stay):
    delegations = dict(SAMPLE.delegations)
    for number, source in enumerate(copies):
        original = SAMPLE.delegations[source]
        delegations[f"copy-{number}"] = replace(original, id=f"copy-{number}", arrival=original.arrival if same_stay else None)
    labels = delegation_labels(replace(SAMPLE, delegations=delegations))
    assert len(set(labels.values())) == len(labels) == len(delegations)


def test_a_second_delegation_from_a_city_gets_an_id_of_its_own():
    assert new_delegation_id(SAMPLE, "Bolzano") == "bolzano"
    assert new_delegation_id(SAMPLE, "Kumasi") == "kumasi-2"
    plan = replace(SAMPLE, delegations={**SAMPLE.delegations, "kumasi-2": SAMPLE.delegations["kumasi"]})
    assert new_delegation_id(plan, "Kumasi") == "kumasi-3"
    assert new_delegation_id(SAMPLE, "Житомир") == ""  # no ASCII form: the form asks for an id
