"""Small pieces of writing a plan that forms use: ids made from names, the day an event ends."""


def test_a_short_id_is_made_from_a_name_and_fits_the_forms_pattern():
    from planner.plan.writing import SHORT_ID, short_id

    assert short_id("Cluj-Napoca") == "cluj-napoca" and short_id("Xi'an") == "xi-an"
    assert short_id("  Novi Sad ") == "novi-sad" and short_id("Łódź") == "odz"
    assert short_id("Житомир") == ""  # no ASCII form: the form asks for an id
    assert SHORT_ID.fullmatch(short_id("A" * 80)) and not SHORT_ID.fullmatch("-x")


def test_an_event_whose_end_is_before_its_start_ends_the_next_day():
    from datetime import date, time

    from planner.plan.clock import end_day

    assert end_day(date(2027, 5, 8), time(22, 0), time(1, 30)) == date(2027, 5, 9)
    assert end_day(date(2027, 5, 8), time(10, 0), time(11, 0)) == date(2027, 5, 8)
