"""The admin monitor's pages: the flow, queues, alerts, dead letters, indicators and traces."""
from __future__ import annotations


from . import api, i18n, schemas, text
from .page import Page


# ---------------------------------------------------------------- the admin monitor
def _chart_labels(page: Page) -> dict:
    """How each chart names its bars, in the page's language."""
    return {"type_label": lambda r: page.label(r["type"], i18n.EVENT_LABELS),
            "pair_label": lambda r: f"{page.desk_name(r['from_desk_id'])} → {page.desk_name(r['to_desk_id'])}",
            "ward_label": lambda r: page.label(r["ward"]), "channel_label": lambda r: page.label(r["channel"]),
            "concern_label": lambda r: page.label(r["concern"]), "month_label": lambda r: r["month"],
            "bucket_label": lambda r: page.label(r["bucket"], i18n.PICKUP_LABELS)}


def admin(page: Page, errors=None, status: int = 200):
    indicators = page.run(api.indicators)
    return page.render("admin.html", status, flow=page.run(api.monitor_flow, {"window_minutes": 60}),
                       queues=page.run(api.monitor_queues),
                       dead=page.run(api.dead_letters, {"status": "open"}),
                       indicators=indicators, errors=errors or {},
                       csv_tables=[name for name, rows in indicators.items() if isinstance(rows, list)],
                       **_chart_labels(page))


def admin_trace(page: Page):
    key = page.request.args.get("key", "").strip()
    hops = page.run(api.monitor_trace, key=key) if key else []
    return page.render("trace.html", key=key, hops=hops)


def admin_dead_letter(page: Page, dead_letter_id: str, errors=None, status: int = 200):
    return page.render("dead_letter.html", status, dead=page.run(api.dead_letter, dead_letter_id=dead_letter_id),
                       errors=errors or {})


def admin_replay(page: Page):
    body = {"ids": [int(i) for i in page.form.getlist("ids") if text.NUMBER.match(i)], "note": page.form.get("note", "")}
    return page.submit(api.replay_dead_letters, body, schemas.ReplayRequest,
                       lambda errors: admin(page, errors=errors, status=422), "/admin#dead-letters")


def admin_discard(page: Page, dead_letter_id: str):
    return page.submit(api.discard_dead_letter, {"note": page.form.get("note", "")}, schemas.DiscardRequest,
                       lambda errors: admin_dead_letter(page, dead_letter_id, errors=errors, status=422),
                       "/admin#dead-letters", dead_letter_id=dead_letter_id)
