"""The demo: invented people consult three desks; each consultation is traced through the monitor.

Every name here is invented. It talks to the running services over RPC, exactly as the
gateway will.
"""
from __future__ import annotations

import time

DEMO_CONSULTATIONS = [
    {"desk_id": "wakaba-life-independence-center", "ward": "wakaba", "channel": "walk_in",
     "concerns": ["hikikomori", "employment"], "urgency": "normal",
     "summary": "息子が長くひきこもっており、今後の仕事が心配（架空の事例）",
     "person": {"name": "見本 花子", "name_kana": "ミホン ハナコ", "birth_date": "1968-04-02",
                "phone": "043-000-0001"}},
    {"desk_id": "mihama-welfare-commissioner", "ward": "mihama", "channel": "concern_report",
     "concerns": ["elder_care", "income_debt"], "urgency": "urgent",
     "summary": "一人暮らしの高齢者の郵便物がたまっている（架空の事例）",
     "person": {"name": "試験 一郎", "name_kana": "シケン イチロウ", "birth_date": "1941-11-20"}},
    {"desk_id": "inage-child-navigator", "ward": "inage", "channel": "child_navigator",
     "concerns": ["child_learning", "single_parent_family"], "urgency": "normal",
     "summary": "ひとり親家庭の子の学習と生活の支援（架空の事例）",
     "person": {"name": "仮名 みらい", "name_kana": "カメイ ミライ", "birth_date": "2013-06-15"}},
]


def play(settings, timeout: float = 30.0) -> int:
    from nameko.standalone.rpc import ClusterRpcProxy

    from .runtime.settings import nameko_config

    with ClusterRpcProxy(nameko_config(settings), timeout=timeout) as cluster:
        for case in DEMO_CONSULTATIONS:
            recorded = cluster.intake.record_consultation(case)
            consultation_id = recorded["consultation_id"]
            print(f"recorded {consultation_id} at {case['desk_id']} ({', '.join(case['concerns'])})")
            deadline = time.monotonic() + timeout
            while not (hops := cluster.monitor.trace(consultation_id)):
                if time.monotonic() > deadline:
                    print(f"  monitor did not log {consultation_id} within {timeout}s")
                    return 1
                time.sleep(0.1)
            for hop in hops:
                print(f"  trace: {hop['type']} v{hop['version']} from {hop['source']} "
                      f"at {hop['time']} (logged {hop['received_at']})")
    return 0
