"""Outbox: the mail Helix sent or would send. With no SMTP server configured (the embedded
default) this is the mailbox itself, so everyone can read what was addressed to them here;
administrators and the board see all of it, to check reminders and stuck deliveries."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common
from domain import access
from store import queries

READ_LIMIT = 500
OPEN_LIMIT = 30
STATUS_COLORS = {"pending": "orange", "sending": "orange", "sent": "green", "recorded": "blue", "failed": "red"}

me = common.me()
st.title("Outbox")
everyone = access.sees_everything(me)
st.caption("All messages of the network, newest first." if everyone else f"Messages addressed to you ({me.email}), newest first.")

messages = [m for m in queries.outbox(common.engine(), limit=READ_LIMIT) if access.can_read_message(me, m.to)]
m = st.columns(4)
m[0].metric("Messages", len(messages), border=True)
m[1].metric("Delivered or recorded", sum(x.status in ("sent", "recorded") for x in messages), border=True)
m[2].metric("Waiting", sum(x.status in ("pending", "sending") for x in messages), border=True)
m[3].metric("Failed", sum(x.status == "failed" for x in messages), border=True)

if not messages:
    st.info("No messages yet.", icon=":material/mail:")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Created": x.created_at,
                    "To": ", ".join(x.to),
                    "Subject": x.subject,
                    "Status": x.status,
                    "Agreement": x.item_id or "",
                }
                for x in messages
            ]
        ),
        hide_index=True,
        column_config={
            "Created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", timezone="UTC"),
            "Subject": st.column_config.TextColumn(width="large"),
        },
    )
    st.subheader("Read")
    for x in messages[:OPEN_LIMIT]:
        with st.expander(f"{x.subject} — {common.when(x.created_at)}"):
            st.badge(x.status, color=STATUS_COLORS.get(x.status, "gray"))  # type: ignore[arg-type]
            st.caption(f"To: {', '.join(x.to)}" + (f" · sent {common.when(x.sent_at)}" if x.sent_at else ""))
            if x.error and everyone:
                st.caption(f"Delivery note: {x.error}")
            st.text(x.body)
            if x.item_id:
                common.agreement_link(x.item_id, "Open the agreement")
    if len(messages) > OPEN_LIMIT:
        st.caption(f"The {OPEN_LIMIT} newest messages are shown in full.")
