"""The server settings the threat list relies on (SECURITY.md) stay as they are: a change to
.streamlit/config.toml that weakens one of them fails here first."""

import tomllib

from support.paths import ROOT

SETTINGS = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_the_app_listens_on_this_machine_only_by_default():
    assert SETTINGS["server"]["address"] == "localhost"


def test_cross_site_protections_stay_on():
    # Streamlit's defaults are on; switching either off would let other sites drive the app.
    assert SETTINGS["server"].get("enableXsrfProtection", True) is True
    assert SETTINGS["server"].get("enableCORS", True) is True
    assert "allowedOrigins" not in SETTINGS.get("client", {}) and "corsAllowedOrigins" not in SETTINGS["server"]


def test_streamlits_own_table_export_stays_off():
    # It writes cells that spreadsheets run as formulas; the Calendars page offers safe tables.
    assert SETTINGS["client"]["disableDataExport"] is True


def test_uploads_are_bounded():
    # Streamlit's default is 200 MB; the largest real plan is about 30 MB.
    assert SETTINGS["server"]["maxUploadSize"] <= 50
