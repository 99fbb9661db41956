"""What an account may be: one of the roles, a name, and a password kept only as a salted scrypt hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from planner.errors import PlanError

#: Roles of accounts; guests have no account, they open a delegation's private link.
ACCOUNT_ROLES = ("admin", "protocol", "organiser", "viewer")
MIN_PASSWORD = 10

# scrypt cost: about 50 ms on these machines, too slow for guessing, fine for a login.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """A self-describing hash: ``scrypt$N$r$p$salt$digest`` (hex)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise PlanError("password", f"must have at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    # surrogatepass as in password_matches: a lone surrogate is a character like any other here
    digest = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` gives `stored` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            password.encode("utf-8", "surrogatepass"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def check_name(name: str) -> str:
    if not isinstance(name, str) or not (1 <= len(name) <= 100) or not name.isprintable() or name != name.strip():
        raise PlanError("name", "must be 1 to 100 printable characters without leading or trailing spaces")
    return name


def check_role(role: str) -> str:
    if role not in ACCOUNT_ROLES:
        raise PlanError("role", f"expected one of {', '.join(ACCOUNT_ROLES)}, got {role!r}")
    return role
