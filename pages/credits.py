"""My credits: balance, ledger, balance over time and earnings (signed-in users)."""

import streamlit as st

from components import auth

st.title("🪙 My credits")
if auth.current() is None:
    st.info("Sign in (sidebar) to see your credits.")
