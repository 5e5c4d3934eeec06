"""Stored findings written by older versions lose the marks that named notes outside the repository, once, when
the store is upgraded (migration 0005); nothing rewrites wording at display time any more."""

from __future__ import annotations

from sqlalchemy import text

from tests.test_migration_keeps_children import _insert
from weiquan.store.db import make_engine
from weiquan.store.migrate import upgrade
from weiquan.zh.wording import plain_zh

OLD = {
    1: (
        "夜间联系",
        "联系时间在禁止时段 22:00–08:00 内（GB/T 45251—2025 5.3；海南日报转载 http://m.example.com/a.html（cn-law-factcheck 4c））",
    ),
    2: ("见 cn-law.md §3", "威胁要告诉单位（cn-law §2 rows 13, 16）；民法典第一千零三十二条"),
    3: ("同一号码当天未接通的来电 9 次 > 6 次", "（银行业协会指引（cn-law-factcheck 4d、5d））"),
    4: ("辱骂", "称借款人为“老赖”：民法典第一千零二十四条"),  # nothing to clean
}
NEW = {
    1: (
        "夜间联系",
        "联系时间在禁止时段 22:00–08:00 内（GB/T 45251—2025 5.3；海南日报转载 http://m.example.com/a.html）",
    ),
    2: ("见", "威胁要告诉单位；民法典第一千零三十二条"),
    3: ("同一号码当天未接通的来电 9 次 > 6 次", "（银行业协会指引）"),
    4: OLD[4],
}


def test_upgrade_cleans_note_marks_from_stored_findings(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine, "0004")
    with engine.begin() as c:
        _insert(c, "cases", {"id": 1})
        for fid, (summary, explanation) in OLD.items():
            _insert(
                c,
                "findings",
                {"id": fid, "case_id": 1, "key": f"k{fid}", "summary": summary, "explanation": explanation},
            )
    upgrade(engine)
    with engine.connect() as c:
        got = {r[0]: (r[1], r[2]) for r in c.execute(text("SELECT id, summary, explanation FROM findings"))}
    assert got == NEW
    # what the pages then show: the URL of a reprint is left out at display, as before
    assert plain_zh(got[1][1]) == "联系时间在禁止时段22:00–08:00内（GB/T 45251—2025 5.3；海南日报）"
