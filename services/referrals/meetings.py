"""Support meetings for a case. No I/O.

A 支援会議 (support meeting) is statutory: under Article 9 of the Act on Self-Reliance Support
for Needy Persons its members may share information about the person without consent, because
each carries a duty of confidentiality; sharing stays among the members and the meeting's
purpose. A 支援調整会議 (support coordination meeting) coordinates a support plan and shares
only on the person's consent.
"""
from __future__ import annotations

KINDS = {
    "support_meeting": {"label": "支援会議", "legal_basis": "statutory-article-9-self-reliance-support-act"},
    "coordination_meeting": {"label": "支援調整会議", "legal_basis": "consent"},
}


class MeetingRefused(ValueError):
    pass


def members_of(convening_desk: str, member_desks: list[str]) -> list[str]:
    """The convening desk is always a member; a meeting needs at least two desks."""
    members = list(dict.fromkeys([convening_desk, *member_desks]))
    if len(members) < 2:
        raise MeetingRefused("a meeting needs at least one desk besides the convening one")
    return members
