"""Mechanical rewrite of law-pack `source:` fields that named the research notes into ids of law/cn/sources.yaml
(docs/sources.md#law-pack-sources). Idempotent: a field already naming entries is left alone; a note reference
with no rule stops the run. Usage: python scripts/rewrite_law_sources.py src/weiquan/law/cn"""

import re
import sys
from pathlib import Path

import yaml

RULES = [  # (pattern, id) — every match contributes its id, in order of position
    (r"npc\.gov\.cn|2025年6月27日修订|law-ye-skill laws/治安管理处罚法", "psapl-2025"),
    (r"2012年文本|治安管理处罚法\.md（2005|LawRefBook/Laws 行政法/治安管理处罚法", "psapl-2012"),
    (r"《中华人民共和国治安管理处罚法》（2025修订）|《中华人民共和国治安管理处罚法》第", "psapl-2025"),
    (r"刑法/刑法\.md|刑法修正案", "criminal-law"),
    (r"民法典(?!第五百六十一条)|LawRefBook/Laws 民法", "civil-code"),
    (r"民法典》第五百六十一条", "civil-code-561"),
    (r"民事诉讼法", "civil-procedure-2023"),
    (r"诉讼费用交纳办法", "litigation-fees"),
    (r"民间借贷规定|民间借贷案件适用法律若干问题的规定", "spc-private-lending-2020"),
    (r"2015年民间借贷司法解释", "spc-private-lending-2015"),
    (r"法释〔2020〕27号|适用范围问题的批复", "spc-reply-2020-27"),
    (r"法发〔2017〕22号|进一步加强金融审判工作|§0 fact 12、§5B，标为", "spc-finance-trial-2017"),
    (r"141号文|现金贷|§5B，标为 \[M\]，未见原文", "cash-loan-notice-2017"),
    (r"非法放贷意见|非法放贷刑事案件|§1\.1，标为 \[M\]；施行日期未见", "illegal-lending-opinion-2019"),
    (r"6dgww\.com", "soft-violence-opinion-2019"),
    (r"§1\.4，条号均为", "pipl"),
    (r"gsky-link", "app-necessary-info-2021"),
    (r"消费投诉处理管理办法|nakedoat\.com", "cbirc-complaints-2020"),
    (r"finance\.eastmoney\.com", "cbirc-consumer-protection-2022"),
    (r"hankunlaw", "nfra-consumer-finance-2024"),
    (r"小额贷款公司监督管理暂行办法|dacheng\.com|小额贷款公司由地方金融管理部门监管", "nfra-small-loan-2024"),
    (r"金规〔2025〕9号|zjblf\.com", "nfra-assisted-lending-2025"),
    (r"三部门2023-06-28|zoeliang\.cn|channels\.yaml（各渠道", "complaint-routing-2023"),
    (r"热线 https://www\.dataiw", "nfra-12378"),
    (r"qinghai\.gov\.cn", "pbc-12363"),
    (r"个人信用报告", "pbccrc-credit-report"),
    (r"12321", "isc-12321"),
    (r"电信用户申诉处理办法|hubca\.miit", "miit-telecom-appeals"),
    (r"催收自律公约|extremexp\.net", "nifa-convention-2018"),
    (r"qllr\.org", "nifa-reporting-platform"),
    (r"GB/T 45251|siduzixun|bycs8\.com", "gbt-45251-2025"),
    (r"银行业协会|reportify\.cn|163\.com/dy/article/KKKKMEEH", "cba-collection-guideline-2026"),
    (r"两份独立公开代码LPR表|新华社 http://en\.people\.cn", "lpr-fixings"),
    (r"公开研究笔记称连续|至2026-08-20未变仅见", "lpr-after-2026-01"),
    (r"银行业金融机构法人名单|31家持牌消费金融公司名单", "nfra-institution-list"),
    (r"更名 https", "lender-renames-2025"),
    (r"京东界面文本|cn-law\.md §6（“度小满|cn-law\.md §6（公开代码引用）", "lender-public-pages"),
    (r"2wbiao\.com", "samr-12315"),
    (r"weiquan 经验规则|design\.md §4|§5C 工具规则", "weiquan-rule"),
    (r"研究笔记未覆盖", "unverified"),
    (r"law-ye-skill laws/治安管理处罚法\.md（cn-law\.md §1\.2", "psapl-2025"),
]
ARTICLE = r"第[一二三四五六七八九十百零〇]+条(?:第[一二三四五六七八九十]+款)?(?:第（[一二三四五六七八九十]+）项)?(?:、第?[一二三四五六七八九十百]+条)*"
# row-level facts for strings that name only the notes' sections: the behaviour catalogue rows of cn-law.md §2
# cite the statutes in their own provisions; their source is the statutes those rows name.
EXPLICIT = {
    "cn-law.md §6（[M]）": "nfra-institution-list",
    "cn-law.md §2 第1行；cn-law-factcheck.md 1a、2": "psapl-2025；criminal-law",
    "cn-law.md §2 第2、3行": "psapl-2025；criminal-law",
    "cn-law.md §2 第4行；cn-law-factcheck.md 4d、5d": "psapl-2025；civil-code；gbt-45251-2025；cba-collection-guideline-2026",
    "cn-law.md §2 第4—6行；cn-law-factcheck.md 5d": "psapl-2025；civil-code；cba-collection-guideline-2026",
    "cn-law.md §2 第5、6、19行；cn-law-factcheck.md 1d": "psapl-2025；civil-code",
    "cn-law.md §2 第7行；cn-law-factcheck.md 4b、5b（催收自律公约未规定时段）": "gbt-45251-2025；cba-collection-guideline-2026；civil-code",
    "cn-law.md §2 第8、20行；cn-law-factcheck.md 1a、1c（滋扰、纠缠可责令禁止接触）、4c、5c": "psapl-2025；gbt-45251-2025；cba-collection-guideline-2026",
    "cn-law.md §2 第9、10行；cn-law-factcheck.md 1f、5d": "psapl-2025；cba-collection-guideline-2026",
    "cn-law.md §2 第10—12行": "psapl-2025；criminal-law",
    "cn-law.md §2 第13、14行（跟踪：治安50(1)(5)及禁止接触令）；cn-law-factcheck.md 1c": "psapl-2025 第五十条",
    "cn-law.md §2 第17、18行；§0 fact 11、12；§5A、5B；cn-law-factcheck.md 10a—10c": "spc-private-lending-2020；spc-reply-2020-27；spc-finance-trial-2017；nfra-assisted-lending-2025",
    "cn-law.md §3；《银行业保险业消费投诉处理管理办法》": "cbirc-complaints-2020",
    "cn-law.md §3；《中华人民共和国治安管理处罚法》（2025修订）": "psapl-2025",
    "cn-law.md §7；《中华人民共和国民事诉讼法》（2023）": "civil-procedure-2023",
    "民间借贷规定第二十五、二十六条": "spc-private-lending-2020 第二十五、二十六条",
    "GB/T 45251—2025 5.3；催收自律公约第18条（cn-law-factcheck 4d）": "gbt-45251-2025；nifa-convention-2018 第18条",
    "背景知识：《中华人民共和国民法典》第五百六十一条（未在研究笔记中核对）": "civil-code-561",
    "weiquan 经验规则；砍头息规则见民法典第六百七十条": "weiquan-rule；civil-code 第六百七十条",
}
# the same note reference on rows of different facts: the row (its id or text) decides
BY_ROW = {
    "金融许可证”查询": "nfra-licence-lookup",
    "地方金融管理局公布的名单。": "nfra-small-loan-2024",
    "gsxt.gov.cn": "gsxt",
    "platform_meituan": "lender-public-pages",
    "platform_360": "lender-public-pages",
    "claims_small_loan": "nfra-small-loan-2024",
    "claims_bank": "nfra-licence-lookup",
}
ROW = re.compile(r"^\s*-?\s*(?:id|text_zh): (.*)$")
SOURCE_LINE = re.compile(r'((?:^|[{ ,])(?:[a-z_]*_)?source: )"([^"]*)"')
ID_FORM = re.compile(r"^[a-z0-9][a-z0-9-]*(?: \S.*)?$")


def convert(text: str, row: str = "") -> str:
    if text == "cn-law.md §6（[M]）":
        hits = [sid for key, sid in BY_ROW.items() if key in row]
        if len(hits) != 1:
            raise SystemExit(f"no row rule for {text} at {row}")
        return hits[0]
    if text in EXPLICIT:
        return EXPLICIT[text]
    if all(ID_FORM.match(t) and t.split(" ")[0] in KNOWN for t in text.split("；")):
        return text  # already converted
    hits: list[tuple[int, str, str]] = []
    for pat, sid in RULES:
        for m in re.finditer(pat, text):
            seg_end = text.find("；", m.start())
            seg = text[m.start() : seg_end if seg_end >= 0 else len(text)]
            art = re.search(ARTICLE, seg)
            hits.append((m.start(), sid, art.group(0) if art else ""))
            break
    if not hits:
        raise SystemExit(f"no source id for: {text}")
    out: list[str] = []
    seen: set[str] = set()
    for _, sid, art in sorted(hits):
        if sid in seen:
            continue
        seen.add(sid)
        out.append(f"{sid} {art}" if art and sid not in ("weiquan-rule", "civil-code-561") else sid)
    return "；".join(out)


KNOWN: set[str] = set()
NOTE_REF = re.compile(r"（(?:cn-law\.md|cn-law-factcheck) [^（）]*）")


def main() -> None:
    KNOWN.update(yaml.safe_load((Path(sys.argv[1]) / "sources.yaml").read_text(encoding="utf-8"))["sources"])
    for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
        if path.name == "sources.yaml":
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        changed = 0
        row = ""
        for i, line in enumerate(lines):
            if m := ROW.match(line):
                row = m.group(1)

            def sub(m: re.Match[str], row: str = row) -> str:
                nonlocal changed
                new = convert(m.group(2), row)
                changed += new != m.group(2)
                return f'{m.group(1)}"{new}"'

            lines[i] = SOURCE_LINE.sub(sub, line)
            if lines[i].lstrip().startswith("- ") and NOTE_REF.search(lines[i]) and "source" not in lines[i]:
                lines[i] = NOTE_REF.sub("", lines[i])  # prose (not_a_source) citing the notes: the reference goes
                changed += 1
        path.write_text("".join(lines), encoding="utf-8")
        print(path.name, changed)


if __name__ == "__main__":
    main()
