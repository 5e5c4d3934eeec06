"""The transcript's vocabulary correction: fixes near-homophones of listed terms, invents nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import weiquan
from weiquan.extract.asr import collection_corrector
from weiquan.extract.asr_correct import VocabularyCorrector  # imports pypinyin lazily

pytest.importorskip("pypinyin", reason="the asr extra is not installed")
pytest.importorskip("jieba", reason="the asr extra is not installed")

PACKAGE = Path(weiquan.__file__).parent


@pytest.fixture(scope="module")
def corrector() -> VocabularyCorrector:
    return collection_corrector()


@pytest.mark.parametrize(
    ("heard", "want"),
    [
        # Whisper base's own output on phone-band clips (tuning split) and the example.
        ("你好这里是速易贷客服中心你的借款已经于七三天", "你好这里是速易贷客服中心你的借款已经逾期三天"),
        ("借呗和花贝的欠款加起来一共两万三千元", "借呗和花呗的欠款加起来一共两万三千元"),
        ("如果今天还不处理我们就按你的通讯路挨个打电话", "如果今天还不处理我们就按你的通讯录挨个打电话"),
        ("再不还款就打你通信路里的每一个人", "再不还款就打你通讯录里的每一个人"),
        ("你的紧急连续人我们已经联系过了你的借款怎么办", "你的紧急联系人我们已经联系过了你的借款怎么办"),
        # Sixth round: 核实, 减免, 尾号 and loan products the registry does not list (data file ``products``).
        ("下周会安排人员上门和使你的情况请尽快还款", "下周会安排人员上门核实你的情况请尽快还款"),
        ("今天还清的话可以给你剪面一部分罚息", "今天还清的话可以给你减免一部分罚息"),
        ("你为号六三八九的手机欠款还没还", "你尾号六三八九的手机欠款还没还"),
        ("你的威力带已经到期一个月了", "你的微粒贷已经到期一个月了"),
        ("每团月付这边通知你还款", "美团月付这边通知你还款"),
    ],
)
def test_near_homophones_of_listed_terms_are_replaced(corrector: VocabularyCorrector, heard: str, want: str) -> None:
    fixed, done = corrector.correct(heard)
    assert fixed == want
    assert len(fixed) == len(heard)  # same length: segment times and character spans stay valid
    for c in done:
        assert heard[c.start : c.end] == c.heard and fixed[c.start : c.end] == c.term


@pytest.mark.parametrize(
    "text",
    [
        "他做事正心诚意大家都很信任他的还款能力",  # 正心 sounds like 征信 but is a word
        "这是第一期的还款计划",  # 一期 ~ 逾期: a word
        "与其逾期不如先还一部分",  # 与其 ~ 逾期: a word
        "楼上的邻居在上面装修还款的事明天再说",  # 上面 is not 上门
        "他对催收的人很有戒备",  # 戒备 ~ 借呗: a word
        "这家通信路由器的信号很好我们的借款",  # 通信路 here cuts 路由 in two
        "中银消金和中邮消金都是持牌机构借款逾期",  # lender names are never turned into other lender names
        "自动扣款失败请及时还款",  # rare readings (款 xin, 失 yi) must not make 款失败 sound like 新易贷
        "逾期一天罚五百还款",  # 罚五百 is not 法务部
    ],
)
def test_words_and_names_are_never_replaced(corrector: VocabularyCorrector, text: str) -> None:
    assert corrector.correct(text, context=True) == (text, [])


@pytest.mark.parametrize(
    ("heard", "want"),
    [
        # Whisper base's output on the tuning split (phone, gsm), with a collection word in the transcript.
        ("你好我是安逸花的法务专员你的借款已经一七四十五天了", "你好我是安逸花的法务专员你的借款已经逾期四十五天了"),
        ("你的借款已经已期三天请今天下午六点前还款", "你的借款已经逾期三天请今天下午六点前还款"),
        ("一期记录会上报征信以后贷款买房都会受影响", "逾期记录会上报征信以后贷款买房都会受影响"),
        ("这里是招联金融催收部门请你今天下午五点钱还款", "这里是招联金融催收部门请你今天下午五点前还款"),
        ("你的借款已经一期十天了", "你的借款已经逾期十天了"),
        # Sixth round: 年化利率 heard as 年化力力 (年化 is a collection word now), a staff number as 功耗 / 孤号.
        ("你们的年化力力超过了百分之三十六", "你们的年化利率超过了百分之三十六"),
        ("请报一下你的功耗和全名我要投诉你们催收", "请报一下你的工号和全名我要投诉你们催收"),
        ("我是催收专员孤号三七二五", "我是催收专员工号三七二五"),
    ],
)
def test_collocations_fix_a_misheard_run_from_its_neighbours(
    corrector: VocabularyCorrector, heard: str, want: str
) -> None:
    fixed, done = corrector.correct(heard)
    assert fixed == want and len(fixed) == len(heard)
    for c in done:
        assert heard[c.start : c.end] == c.heard and fixed[c.start : c.end] == c.term


@pytest.mark.parametrize(
    "text",
    [
        "这笔借款一期十四天到期要还一千二",  # 一期十四天: the loan's period, not 逾期 (no 已经 before it)
        "第一期记录在还款计划的第一页",  # 第一期
        "我们一起三天内把欠款还上",  # 一起 is never touched
        "他给了我一点钱还款用",  # 一点钱: a little money
        "分期的话一期三个月还款",  # a period of three months
        "这台手机的功耗太高了还款的事明天再说",  # 功耗 (power use) with no staff-number neighbour
        "我们何时见面谈还款的事",  # 何时 and 见面 are words: never 核实 / 减免
        "以后三天内我会把欠款还上",  # 以后 is a word, not 尾号
        "年化收益率和借款利率不是一回事",  # 年化 followed by something else
        "下大雨鱼起塘的事等还款以后再说",  # 起塘 is a word jieba lacks (data file ``words``): 鱼起 cuts it
    ],
)
def test_collocations_leave_lawful_readings_alone(corrector: VocabularyCorrector, text: str) -> None:
    assert corrector.correct(text, context=True) == (text, [])


def test_collocations_need_a_collection_word(corrector: VocabularyCorrector) -> None:
    assert corrector.correct("他已经一七四十五天没回家了") == ("他已经一七四十五天没回家了", [])


def test_two_character_and_near_matches_need_a_collection_word(corrector: VocabularyCorrector) -> None:
    """Ordinary speech without any collection word gets no 2-character or near correction."""
    assert corrector.correct("对方说于七这件事")[1] == []
    assert corrector.correct("对方说于七这件事", context=True)[0] == "对方说逾期这件事"
    assert corrector.correct("我们按通信路走")[1] == []
    assert corrector.correct("他们按你的通讯路打电话")[0] == "他们按你的通讯录打电话"  # exact 3-character homophone


def test_correctly_written_chinese_is_left_alone(corrector: VocabularyCorrector) -> None:
    """Every Chinese run in the package's own texts (law pack, document templates, web pages, guides) with
    the collection context forced on: a correction there would be an invented word. Only the two data
    files that list misrecognitions on purpose are skipped."""
    skip = {"asr_vocabulary.yaml", "normalize.yaml"}
    files = [p for ext in ("yaml", "j2", "html") for p in PACKAGE.rglob(f"*.{ext}") if p.name not in skip]
    runs = [r for p in files for r in re.findall(r"[\u4e00-\u9fff]{2,}", p.read_text("utf-8"))]
    assert sum(map(len, runs)) > 30_000  # the material is there
    invented = [(r, c.heard, c.term) for r in runs for c in corrector.correct(r, context=True)[1]]
    assert invented == []


def test_ordinary_sentences_of_the_audio_sets_are_left_alone(corrector: VocabularyCorrector) -> None:
    """The reference texts of every speech set (collection and ordinary sentences) are correct Chinese."""
    folder = Path(__file__).parent / "data" / "audio" / "phone"
    for refs in folder.glob("references.*.json"):
        for ref in json.loads(refs.read_text("utf-8")).values():
            text = re.sub(r"[^\u4e00-\u9fff]", "", ref["text"])
            assert corrector.correct(text, context=True) == (text, [])
