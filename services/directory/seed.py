"""The Chiba City demo directory: public office names, invented contact details (043-000-…).

Per ward where the plan says so: a Life Independence & Work Consultation Center, an Anshin
Care Center, a health center, Child Navigators, a CSW and the welfare commissioners; citywide:
the Hikikomori Regional Support Center, the Mental Health Center, Hello Work, employment
preparation, learning support, municipal housing and the Housing Support Council; and a few
informal resources (children's cafeterias, places to belong, resident watch groups).
"""
from datetime import date

from shared.vocabulary import WARDS

from .domain import Desk

CONFIRMED = date(2026, 11, 1)
WEEKDAYS = "平日 8:30–17:30"
ALL_CHANNELS = ("walk_in", "phone")

_WARD_EN = {"chuo": "Chuo", "hanamigawa": "Hanamigawa", "inage": "Inage", "wakaba": "Wakaba",
            "midori": "Midori", "mihama": "Mihama"}


def _phone(n: int) -> str:
    return f"043-000-{n:04d}"


def chiba_directory() -> list[Desk]:
    desks: list[Desk] = []
    n = 100
    for ward, ward_ja in WARDS.items():
        en = _WARD_EN[ward]
        per_ward = [
            ("life-independence-center", f"{ward_ja}生活自立・仕事相談センター",
             f"{en} Life Independence & Work Consultation Center", "千葉市", "life_independence_center",
             ("income_debt", "employment", "housing", "hikikomori", "other"),
             ALL_CHANNELS + ("sns_chat", "outreach_visit")),
            ("anshin-care-center", f"あんしんケアセンター{ward_ja[:-1]}", f"Anshin Care Center {en}",
             "千葉市", "anshin_care_center", ("elder_care", "health"), ALL_CHANNELS + ("outreach_visit",)),
            ("health-center", f"{ward_ja}保健福祉センター健康課", f"{en} Health Center", "千葉市",
             "health_center", ("health", "pregnancy", "mental_health"), ALL_CHANNELS),
            ("child-navigator", f"{ward_ja}子どもナビゲーター", f"{en} Child Navigator", "千葉市",
             "child_navigator", ("child_learning", "single_parent_family"), ALL_CHANNELS + ("child_navigator",)),
            ("csw", f"千葉市社会福祉協議会{ward_ja}事務所 CSW", f"{en} Community Social Worker",
             "千葉市社会福祉協議会", "community_social_worker", ("elder_care", "single_parent_family", "other"),
             ALL_CHANNELS + ("outreach_visit",)),
            ("welfare-commissioner", f"{ward_ja}民生委員・児童委員協議会", f"{en} Welfare Commissioners",
             "民生委員・児童委員協議会", "welfare_commissioner", ("elder_care", "child_learning"),
             ("concern_report", "outreach_visit")),
        ]
        for suffix, name, name_en, org, kind, concerns, channels in per_ward:
            n += 1
            desks.append(Desk(id=f"{ward}-{suffix}", name=name, name_en=name_en, organization=org,
                              kind=kind, ward=ward, concerns=concerns, channels=channels,
                              capacity="available", capacity_confirmed_on=CONFIRMED, hours=WEEKDAYS,
                              phone=_phone(n)))
    citywide = [
        ("hikikomori-center", "千葉市ひきこもり地域支援センター", "Hikikomori Regional Support Center",
         "千葉市", "hikikomori_center", ("hikikomori", "mental_health"), ALL_CHANNELS + ("sns_chat",), "available"),
        ("mental-health-center", "千葉市こころの健康センター", "Chiba City Mental Health Center", "千葉市",
         "mental_health_center", ("mental_health",), ALL_CHANNELS, "waitlist"),
        ("hello-work-chiba", "ハローワーク千葉", "Hello Work Chiba", "厚生労働省 千葉労働局",
         "hello_work", ("employment",), ALL_CHANNELS, "available"),
        ("hello-work-chiba-minami", "ハローワーク千葉南", "Hello Work Chiba-Minami", "厚生労働省 千葉労働局",
         "hello_work", ("employment",), ALL_CHANNELS, "available"),
        ("employment-preparation", "千葉市就労準備支援事業", "Employment Preparation Support", "千葉市",
         "employment_preparation", ("employment", "hikikomori"), ALL_CHANNELS, "waitlist"),
        ("learning-support", "千葉市子どもの学習・生活支援事業", "Learning and Living Support for Children",
         "千葉市", "learning_support", ("child_learning", "single_parent_family"), ALL_CHANNELS, "available"),
        ("municipal-housing", "千葉市営住宅", "Chiba City Municipal Housing", "千葉市",
         "municipal_housing", ("housing",), ALL_CHANNELS, "full"),
        ("housing-support-council", "千葉市居住支援協議会", "Chiba City Housing Support Council", "千葉市",
         "housing_support_council", ("housing", "income_debt"), ALL_CHANNELS, "available"),
    ]
    for suffix, name, name_en, org, kind, concerns, channels, capacity in citywide:
        n += 1
        desks.append(Desk(id=suffix, name=name, name_en=name_en, organization=org, kind=kind,
                          ward=None, concerns=concerns, channels=channels, capacity=capacity,
                          capacity_confirmed_on=CONFIRMED, hours=WEEKDAYS, phone=_phone(n)))
    informal = [
        ("wakaba-childrens-cafeteria", "わかば子ども食堂（架空）", "Wakaba Children's Cafeteria", "wakaba",
         "childrens_cafeteria", ("child_learning", "single_parent_family"), "毎週土曜 11:00–14:00"),
        ("mihama-childrens-cafeteria", "みはま子ども食堂（架空）", "Mihama Children's Cafeteria", "mihama",
         "childrens_cafeteria", ("child_learning", "single_parent_family"), "第2・第4日曜 12:00–15:00"),
        ("inage-place-to-belong", "いなげの居場所（架空）", "Inage Place to Belong", "inage",
         "place_to_belong", ("hikikomori", "mental_health"), "火・木 13:00–17:00"),
        ("midori-resident-watch", "みどり見守り隊（架空）", "Midori Resident Watch Group", "midori",
         "resident_watch_group", ("elder_care",), "随時"),
    ]
    for desk_id, name, name_en, ward, kind, concerns, hours in informal:
        n += 1
        desks.append(Desk(id=desk_id, name=name, name_en=name_en, organization="地域の団体", kind=kind,
                          ward=ward, concerns=concerns, channels=("walk_in",), capacity="available",
                          capacity_confirmed_on=date(2026, 6, 1), hours=hours, phone=_phone(n),
                          formal=False))
    return desks
