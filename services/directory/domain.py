"""The directory's domain: desks and how well each fits a consultation. No I/O.

A suggestion is ranked by how many of the person's concerns a desk serves, whether it is in
their ward (or serves the whole city), and its capacity; every suggestion carries its reasons
in plain words, because staff must be able to judge them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

CAPACITIES = ("available", "waitlist", "full")

# What a desk's kind means, and whether it accepts any concern (断らない相談支援).
KINDS = {
    "life_independence_center": ("生活自立・仕事相談センター", True),
    "anshin_care_center": ("あんしんケアセンター", False),
    "hello_work": ("ハローワーク", False),
    "hikikomori_center": ("ひきこもり地域支援センター", False),
    "mental_health_center": ("こころの健康センター", False),
    "health_center": ("保健センター", False),
    "child_navigator": ("子どもナビゲーター", False),
    "learning_support": ("学習・生活支援事業", False),
    "employment_preparation": ("就労準備支援事業", False),
    "municipal_housing": ("市営住宅", False),
    "housing_support_council": ("居住支援協議会", False),
    "community_social_worker": ("社会福祉協議会 CSW", True),
    "welfare_commissioner": ("民生委員・児童委員", False),
    "childrens_cafeteria": ("子ども食堂", False),
    "place_to_belong": ("居場所", False),
    "resident_watch_group": ("見守り活動", False),
}


@dataclass(frozen=True)
class Desk:
    id: str
    name: str
    name_en: str
    organization: str
    kind: str
    ward: str | None  # None: serves the whole city
    concerns: tuple[str, ...]
    channels: tuple[str, ...]
    capacity: str
    capacity_confirmed_on: date
    hours: str
    phone: str
    formal: bool = True
    accepts_referrals: bool = True

    @property
    def accepts_any_concern(self) -> bool:
        return KINDS[self.kind][1]

    def is_stale(self, today: date, stale_after_days: int) -> bool:
        return (today - self.capacity_confirmed_on).days > stale_after_days


@dataclass(frozen=True)
class Suggestion:
    desk: Desk
    score: int
    reasons: tuple[str, ...] = field(default_factory=tuple)


def suggest(desks, concerns, ward: str, today: date, stale_after_days: int,
            exclude=(), limit: int = 5) -> list[Suggestion]:
    """Rank the desks that can take this person on; best first, each with its reasons."""
    wanted = set(concerns)
    ranked = []
    for desk in desks:
        if desk.id in exclude or not desk.accepts_referrals:
            continue
        served = [c for c in concerns if c in desk.concerns]
        if not served and not desk.accepts_any_concern:
            continue
        score, reasons = 0, []
        if served:
            score += 10 * len(served)
            reasons.append(f"serves {', '.join(served)}")
        else:
            score += 4
            reasons.append("accepts any consultation")
        if desk.ward == ward:
            score += 6
            reasons.append(f"in the person's ward ({ward})")
        elif desk.ward is None:
            score += 4
            reasons.append("serves the whole city")
        else:  # ward desks serve their own residents first
            score -= 15
            reasons.append(f"in another ward ({desk.ward})")
        score += {"available": 3, "waitlist": 0, "full": -8}[desk.capacity]
        reasons.append(f"capacity {desk.capacity} (confirmed {desk.capacity_confirmed_on.isoformat()})")
        if desk.is_stale(today, stale_after_days):
            score -= 1
            reasons.append("capacity not confirmed recently")
        if not desk.formal:
            reasons.append("informal community resource")
        if wanted - set(desk.concerns) and served:
            reasons.append(f"does not cover {', '.join(sorted(wanted - set(desk.concerns)))}")
        ranked.append(Suggestion(desk, score, tuple(reasons)))
    ranked.sort(key=lambda s: (-s.score, s.desk.id))
    return ranked[:limit]


def matches(desk: Desk, concern: str | None, ward: str | None, capacity: str | None) -> bool:
    """Search filter: a ward search also finds citywide desks."""
    if concern and concern not in desk.concerns and not desk.accepts_any_concern:
        return False
    if ward and desk.ward not in (ward, None):
        return False
    if capacity and desk.capacity != capacity:
        return False
    return True
