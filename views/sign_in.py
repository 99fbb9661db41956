"""Sign-in page: local accounts (python -m planner user add NAME --role ROLE)."""

import streamlit as st

from planner.language.markdown import markdown_literal
from planner.sharing.throttle import SIGN_IN_FAILURES, minutes
from views.ui import sign_in, without_cookie

lang = st.session_state.get("lang", "en")
de = lang == "de"
st.title("Anmelden" if de else "Sign in")
with st.form("sign-in"):
    name = st.text_input("Name")
    password = st.text_input("Passwort" if de else "Password", type="password")
    submitted = st.form_submit_button("Anmelden" if de else "Sign in")
if submitted and without_cookie():
    # Nothing would bind a sign-in to this browser: anyone with the session's id could use it.
    st.error(
        "Ihr Browser hat das Cookie des Planers nicht gespeichert. Bitte Cookies für diese Seite erlauben und "
        "die Seite neu laden."
        if de
        else "Your browser did not keep the planner's cookie. Please allow cookies for this site and reload the page."
    )
elif submitted:
    client = st.session_state.get("client")
    # Too many wrong sign-ins from this address: no password is even tried until it has waited.
    wait = SIGN_IN_FAILURES.attempt(client)
    role = None if wait else st.session_state["store"].authenticate(name, password)
    if wait:
        st.error(
            f"Zu viele fehlgeschlagene Anmeldungen von Ihrer Adresse. Bitte in {minutes(wait)} Minuten erneut versuchen."
            if de
            else f"Too many failed sign-ins from your address. Please try again in {minutes(wait)} minutes."
        )
    elif role is None:
        # The same answer for an unknown name, a wrong password and a locked account.
        st.error("Name oder Passwort falsch." if de else "Wrong name or password.")
    else:
        SIGN_IN_FAILURES.forgive(client)
        sign_in(name, role, "local")
        st.rerun()

if st.session_state.get("sso_configured"):
    st.divider()
    if st.user.is_logged_in:
        # Signed in with the identity provider, but no role is mapped to this address.
        st.warning(
            ("Ihre Adresse hat keine Rolle in diesem Planer: " if de else "Your address has no role in this planner: ")
            + markdown_literal(str(st.user.get("email", "")))
        )
        if st.button("Abmelden" if de else "Sign out", key="sso-logout"):
            st.logout()
    elif st.button("Mit Single Sign-on anmelden" if de else "Sign in with single sign-on", key="sso-login"):
        st.login()
