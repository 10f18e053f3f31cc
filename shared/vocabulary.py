"""Shared vocabulary of the network, drawn from the 2nd Chiba City Poverty Countermeasures
Action Plan: the wards, the channels a consultation arrives by, the concerns and urgencies.
Codes are stable English identifiers; labels are what staff read."""

WARDS = {
    "chuo": "中央区",
    "hanamigawa": "花見川区",
    "inage": "稲毛区",
    "wakaba": "若葉区",
    "midori": "緑区",
    "mihama": "美浜区",
}

CHANNELS = {
    "walk_in": "来所",
    "phone": "電話",
    "sns_chat": "SNS相談",
    "outreach_visit": "アウトリーチ訪問",
    "child_navigator": "学校・子どもナビゲーター",
    "concern_report": "気づきの連絡（民生委員・CSW・住民）",
}

CONCERNS = {
    "health": "健康",
    "employment": "仕事",
    "housing": "住まい",
    "income_debt": "収入・債務",
    "hikikomori": "ひきこもり",
    "mental_health": "こころの健康",
    "elder_care": "高齢者の介護",
    "child_learning": "子ども・学習",
    "pregnancy": "妊娠",
    "single_parent_family": "ひとり親・家族",
    "other": "その他",
}

URGENCIES = {
    "risk_to_life": "生命の危険",
    "urgent": "緊急",
    "normal": "通常",
}

# Who sends a concern report about someone who has not consulted (気づきの連絡).
REPORTER_KINDS = {
    "welfare_commissioner": "民生委員・児童委員",
    "community_social_worker": "コミュニティソーシャルワーカー",
    "resident": "住民",
}
