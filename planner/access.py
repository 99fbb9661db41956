"""Who may use the app how: roles, the pages each role sees, and the rule that makes a fresh
install usable at once without ever handing editing rights to other machines.

- With no accounts in the database, a person at this machine (the app listens on localhost by
  default) is admin: `streamlit run app.py` works without set-up.
- Anyone else, and everyone once an account exists, must sign in.
"""

from __future__ import annotations

from .accounts import ROLES

#: Page id -> roles that may open it.
PAGES: dict[str, frozenset[str]] = {
    "conflicts": frozenset(ROLES),
    "timeline_map": frozenset(ROLES),
}
EDITORS = frozenset(("admin", "protocol", "organiser"))


def is_local(address: str | None) -> bool:
    """Whether a connection comes from this machine (Streamlit reports none for localhost)."""
    return address is None or address in ("127.0.0.1", "::1") or address.startswith("127.")


def session_role(signed_in: str | None, *, has_accounts: bool, local: bool) -> str | None:
    """The role a browser session acts with, or None if it must sign in first."""
    if signed_in in ROLES:
        return signed_in
    if not has_accounts and local:
        return "admin"
    return None


def pages_for(role: str | None) -> list[str]:
    """The pages a role may open, in menu order (none without a role)."""
    return [page for page, roles in PAGES.items() if role in roles]


def may_edit(role: str | None) -> bool:
    return role in EDITORS
