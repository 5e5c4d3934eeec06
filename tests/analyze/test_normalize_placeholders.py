"""Template variables of lenders' systems read as 某 (round 11b, issue #15), and properties of the normaliser.

Texts taken from a lender's own system print its template variables as they are ("尊敬的{userName}", "#{name}",
"{{name}}", "%1$s", "{0}"). They mean a name, an amount or a date, as XX and 某某 do, so they become 某; JSON, code,
e-mail addresses and percentages are ordinary text and stay as they are.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weiquan.analyze.normalize import normalize
from weiquan.analyze.text import default_text_detector, labels_of


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("尊敬的{name}，您的借款已逾期", "尊敬的某,你的借款已逾期"),
        ("尊敬的{userName}您好", "尊敬的某你好"),
        ("尊敬的#{userName}您好", "尊敬的某你好"),
        ("尊敬的{{name}}您好", "尊敬的某你好"),
        ("{{ user.name }}您好", "某你好"),
        ("{{customer_name}}先生", "某先生"),
        ("尊敬的%s您好，您已逾期%d天", "尊敬的某你好,你已逾期某天"),
        ("%1$s您好，欠款%2$s元", "某你好,欠款某元"),
        ("{0}您好，您在{1}的借款{2}元已逾期", "某你好,你在某的借款某元已逾期"),
        ("尊敬的${name}", "尊敬的某"),
        ("尊敬的{$name}", "尊敬的某"),
        ("尊敬的#name#", "尊敬的某"),
        ("您好{0}{1}，请还款", "你好某,请还款"),  # a run of variables is one 某
        ("XX某，你好", "某,你好"),
        # round 16: template syntaxes of lenders' code (PHP and Java/JavaScript concatenation, SLF4J, printf)
        ("尊敬的'.$name.'，您的借款已逾期'.$days.'天", "尊敬的某,你的借款已逾期某天"),
        ("您好'.$row['user_name'].'，欠款'.$row['amount'].'元", "你好某,欠款某元"),
        ('您好".$name."先生', "你好某先生"),
        ("您好'.get_name().'，请还款", "你好某,请还款"),
        ("您好$name，您已逾期", "你好某,你已逾期"),
        ("$username.'您好，请还款", "某你好,请还款"),
        ('尊敬的"+user.name+"，您已逾期"+days+"天', "尊敬的某,你已逾期某天"),
        ("尊敬的{}，你是{}的家人吗", "尊敬的某,你是某的家人吗"),
        ("欠款%.2f元", "欠款某元"),
        ("您好%(name)s", "你好某"),
    ],
)
def test_template_variables_become_mou(text: str, want: str) -> None:
    assert normalize(text).text == want


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "张三", "amount": 1200}',
        '{"a":1,"b":[1,2]}',
        "if (x > 0) { return x; }",
        "function f(){}",
        "联系邮箱 service@example.com",
        "年化利率不超过24%",
        "利率5%，罚息0.05%/天",
        "完成度100%了",
        "5%daily",
        "代码里的 {} 是空对象",
        "{ }",
        "#话题#",
        "x={}",
        "价格$100",
        "利率5%f",
        "it's.fine",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    n = normalize(text)
    assert "某" not in n.text
    for c in "{}%$#@":  # nothing of it was read as a variable
        assert n.text.count(c) == text.count(c)


def test_spans_map_back_over_a_template_variable() -> None:
    text = "尊敬的{userName}，再不还款就通知你的家人"
    n = normalize(text)
    i = n.text.index("某")
    assert n.to_original(i, i + 1) == (3, 3 + len("{userName}"))
    hits = default_text_detector().detect(text)
    assert labels_of(hits) != ["lawful"]
    for h in hits:
        for a, b in h.spans:
            assert 0 <= a < b <= len(text)


def test_a_third_party_is_named_by_a_variable() -> None:
    for name in ("{name}", "#{userName}", "{{name}}", "%s", "{0}", "'.$name.'", '"+name+"', "{}", "$row['name']"):
        text = f"请问你是{name}的家人吗？他在我司的借款已经逾期了"
        assert "third_party_contact" in labels_of(default_text_detector().detect(text)), name


# --- properties -------------------------------------------------------------------------------------------------
# Text of the kind the detector reads: Chinese, ASCII letters, digits and punctuation, full-width forms, and the
# template variables themselves.
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
# ordinary Chinese: without 某, which is itself a placeholder ("某某" reads as one 某)
_PLAIN_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5, exclude_characters="某")
_PIECES = st.sampled_from(
    [
        "{name}",
        "{userName}",
        "#{user.name}",
        "{{name}}",
        "{{ x }}",
        "{0}",
        "{12}",
        "%s",
        "%d",
        "%1$s",
        "${n}",
        "'.$name.'",
        "'.$r['k'].'",
        '"+u.name+"',
        "{}",
        "%.2f",
        "%(n)s",
        "$x",
        "'",
        ".",
        "+",
        "XX",
        "xxx",
        "某某",
        "某",
        "**",
        "#n#",
        "{",
        "}",
        "%",
        "$",
        "#",
        " ",
        "，",
        "。",
        "！",
        "\n",
        "您",
        "爆 通 讯 录",
        "b通讯录",
        "坐劳",
    ]
)
_TEXT = st.lists(
    st.one_of(
        _CJK, st.characters(min_codepoint=0x20, max_codepoint=0x7E), _PIECES, st.sampled_from("（）：；？ＡＢ１２")
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_normalise_never_raises_and_spans_map_into_the_original(text: str) -> None:
    n = normalize(text)
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a <= b <= len(text)
    assert n.to_original(0, len(n.text))[1] <= len(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=_PLAIN_CJK, max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            # a key holding XX is itself the placeholder XX ("XX" in place of a name reads as 某 wherever it stands)
            st.from_regex(r"[a-zA-Z_]{1,8}", fullmatch=True).filter(lambda k: "xx" not in k.lower()),
            inner,
        )
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(_JSON, st.integers(min_value=0, max_value=1000), st.text(alphabet=_PLAIN_CJK, max_size=8))
def test_ordinary_text_is_unchanged(value: object, pct: int, words: str) -> None:
    # JSON, a percentage, an e-mail address and a code block hold no template variable
    for text in (
        json.dumps(value, ensure_ascii=False),
        f"{words}{pct}%{words}",
        f"{words}{pct}%",
        f"{words} user{pct}@example.com",
        f"if (a == {pct}) {{ return b; }}",
    ):
        n = normalize(text)
        assert n.text.count("某") == text.count("某"), text
