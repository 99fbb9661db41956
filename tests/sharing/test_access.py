"""Who may use the app how (planner/sharing/access.py)."""

from planner.sharing.access import is_local, may_edit, pages_for, session_role, sso_role


def test_a_fresh_install_is_usable_at_once_but_only_on_this_machine():
    assert session_role(None, has_accounts=False, local=True) == "admin"
    assert session_role(None, has_accounts=False, local=False) is None
    assert session_role(None, has_accounts=True, local=True) is None


def test_signed_in_roles_and_pages():
    assert session_role("viewer", has_accounts=True, local=False) == "viewer"
    assert session_role("king", has_accounts=True, local=True) is None
    assert pages_for(None) == []
    assert pages_for("viewer") == ["overview", "delegations", "golden_book", "festival", "timeline_map", "conflicts", "calendars"]
    assert pages_for("organiser") == ["overview", "festival", "timeline_map", "conflicts", "calendars"]
    assert pages_for("admin")[-1] == "admin" and "admin" not in pages_for("protocol")
    assert may_edit("protocol") and may_edit("admin") and may_edit("organiser")
    assert not may_edit("viewer") and not may_edit(None)


def test_single_sign_on_roles():
    mapping = {"Anna@Dortmund.de": "protocol", "*@stadtdo.de": "viewer", "bad@x.de": "king"}
    assert sso_role("anna@dortmund.de", mapping) == "protocol"
    assert sso_role(" ANNA@dortmund.de ", mapping) == "protocol"
    assert sso_role("bert@stadtdo.de", mapping) == "viewer"
    assert sso_role("bad@x.de", mapping) is None  # not a role
    assert sso_role("eve@example.org", mapping) is None and sso_role("", mapping) is None
    assert sso_role(None, mapping) is None and sso_role("no-at-sign", mapping) is None


def test_local_addresses():
    assert is_local(None) and is_local("127.0.0.1") and is_local("::1") and is_local("127.1.2.3")
    assert is_local("::ffff:127.0.0.1")  # a dual-stack server sees local IPv4 browsers like this
    assert not is_local("192.168.1.20") and not is_local("10.0.0.5") and not is_local("2001:db8::1")
    assert not is_local("::ffff:192.168.1.20") and not is_local("not an address") and not is_local("")


def test_a_local_connection_must_also_ask_for_a_local_name_and_come_unforwarded():
    for host in ("localhost:8501", "127.0.0.1:8501", "[::1]:8501", "LOCALHOST", "localhost"):
        assert is_local(None, {"Host": host}), host
    # A web page rebound to 127.0.0.1 through DNS asks for its own name.
    assert not is_local(None, {"Host": "attacker.example:8501"})
    assert not is_local(None, {"Host": "planner.dortmund.de"})
    # A proxy or tunnel on this machine forwards browsers from elsewhere.
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "Via", "x-forwarded-host"):
        assert not is_local(None, {"Host": "localhost:8501", header: "203.0.113.9"}), header
    assert not is_local("192.168.1.20", {"Host": "localhost:8501"})
