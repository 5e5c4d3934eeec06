"""The ``README.txt`` of an evidence package: what is inside, how to verify it, what a hash proves."""

from __future__ import annotations

from typing import Any

from weiquan.report.evidence import EvidenceItem


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]  # n becomes a float as it is divided
    return f"{n} B"


def package_readme(header: dict[str, Any], items: list[EvidenceItem], has_report: bool, has_catalogue: bool) -> str:
    case = header["case"]
    originals = [i for i in items if i.kind == "original"]
    derived = [i for i in items if i.kind == "derived"]
    lines = [
        "证据包说明 / About this evidence package",
        "=" * 40,
        "",
        f"案件：{case.get('name')}（编号 {case.get('id')}）  机构：{case.get('lender') or '未填写'}",
        f"生成时间（UTC）：{header['created_at']}    生成工具：{header['generator']}",
        f"原始文件 {len(originals)} 个，合计 {_size(sum(i.size for i in originals))}；派生文本 {len(derived)} 个。",
        "",
        "一、内容",
        "  originals/   原始证据文件，与导入时逐字节相同，文件名为「证据编号_原始文件名」（E001、E002……）。",
        "  derived/     派生文件（文字识别 OCR、录音转写等），文件名以来源证据编号开头，清单中注明来源；",
        "               派生文件由软件自动生成，可能有识别错误，以原始文件为准。",
        "  ledger.jsonl 证据库账本中与本案有关的记录（每条记录含前一条的哈希，形成哈希链），记录每个文件的导入时间。",
    ]
    if has_catalogue:
        lines.append("  catalogue/   证据目录（DOCX 可编辑，PDF 可打印）。")
    if has_report:
        lines.append("  report/      案件报告 PDF：概要、图表、违规事实清单及证据保全方法。")
    lines += [
        "  manifest.json 清单：每个文件的路径、SHA-256 哈希、大小、类别、来源证据和取得时间。",
        "  MERKLE_ROOT.txt 对整个清单计算的 Merkle 根（一个哈希值，清单任何改动都会使其改变）。",
        "  timestamp/   （如有）第三方可信时间戳机构对 Merkle 根签发的 RFC 3161 时间戳。",
        "  verify.py    核验程序，只需 Python 3 标准库。",
        "",
        "二、如何核验",
        "  在解压后的文件夹中运行：  python3 verify.py",
        "  或不解压直接核验：        python3 verify.py 证据包.zip",
        "  程序重新计算每个文件的哈希和 Merkle 根，全部一致时输出 OK；",
        "  否则逐个列出被修改、缺失或多出的文件，并以状态码 1 退出。",
        "  也可用任何 SHA-256 工具（如 Windows 的 certutil -hashfile 文件 SHA256，macOS/Linux 的 shasum -a 256）",
        "  单独核对某个文件的哈希与 manifest.json 中的记录。",
        "  装有 weiquan 时，`weiquan verify 证据包.zip` 还会核验时间戳的签名和时间。",
        "",
        "三、哈希能证明什么、不能证明什么",
        "  哈希值证明文件自导入本软件（账本中记录的时间）以来没有被改动过；",
        "  它不能证明导入之前发生了什么，也不能单独证明文件内容的真实性或来源。",
        "  如需证明导入的时间，可使用可信时间戳（timestamp/），或向公证机构、司法区块链平台申请存证。",
        "  原始手机记录请同时保留在原设备上，以便核对。本软件的自动识别结果需经人工核实，不构成法律意见。",
        "",
        "-" * 40,
        "English summary",
        "  originals/ holds every original file byte for byte (named E001_<original name>); derived/ holds",
        "  machine-made texts (OCR, transcripts) that name their source; ledger.jsonl holds the vault's",
        "  hash-chained ledger entries for this case; manifest.json lists every file with SHA-256 and size;",
        "  MERKLE_ROOT.txt is the Merkle root over the manifest; timestamp/ holds an optional RFC 3161 token.",
        "  Verify with:  python3 verify.py   (inside the folder)  or  python3 verify.py package.zip",
        "  A hash proves a file is unchanged since it was imported into weiquan; it proves nothing about",
        "  what happened to the file before that moment.",
        "",
    ]
    return "\n".join(lines)
