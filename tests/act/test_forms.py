"""Issue 16 item 7: forms a clerk accepts — 起诉状 party fields (民事诉讼法 Art. 124), witnesses named, requests
stated as requests and for the borrower's own rights; 证据目录 items named for a person with page counts and the hash
in a narrow column; numbers as in the call log (fixed lines keep their trunk prefix 0)."""

from __future__ import annotations


from tests.act.act_builders import TODAY, build_findings_case, document_text
from weiquan.services.documents import document_html
from weiquan.store.models import Event
from weiquan.workspace import Workspace
from weiquan.zh.format import phone_zh


def test_lawsuit_form(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact", "night_contact", "threat_visit"])
    with ws.db.session() as s:
        visit = s.get(Event, b.events["sms"][2])
        visit.channel, visit.counterpart, visit.origin = "visit", None, "manual"
        visit.text, visit.extra = "两名男子到我家门口拍门。", {"note": "邻居王某可作证"}
    text = document_text(document_html(ws, b.case_id, "lawsuit", today=TODAY))
    assert (
        "职业：【请填写：职业】" in text and "工作单位：【请填写：工作单位" in text and "职务：【请填写：职务】" in text
    )
    claims = text[text.index("诉讼请求") : text.index("事实与理由")]
    # requests, not category labels; only the borrower's own rights
    assert "不得在每日22:00至次日8:00之间联系原告" in claims and "夜间催收" not in claims and "包括：" not in claims
    assert "通讯录联系人" not in claims
    facts = text[text.index("事实与理由") :]
    assert "两名男子到我家门口拍门" in facts and "号码未知" not in facts
    witnesses = facts[facts.index("证人：") :]
    assert "邻居王某" in witnesses and "亲属（王五）" in witnesses and "证人住所" in witnesses


def test_catalogue_form(ws: Workspace) -> None:
    b = build_findings_case(ws, ["third_party_contact"])
    html = document_html(ws, b.case_id, "catalogue", today=TODAY)
    text = document_text(html)
    assert "短信记录（手机导出）" in text and "页数" in text and 'class="hash"' in html
    assert "手机导出记录.json" not in text and "test-json" not in text and "sms[" not in text


def test_numbers_as_in_the_call_log() -> None:
    assert phone_zh("+862388001234") == "02388001234"
    assert phone_zh("+861065001234") == "01065001234"
    assert phone_zh("+8615400000011") == "15400000011"
    assert phone_zh("+8610690000123452") == "10690000123452"
    assert phone_zh("+864008108866") == "4008108866"
