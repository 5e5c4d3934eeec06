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
    ledger_head = header.get("ledger_head")
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
        "  没有时间戳时：核验 OK 只说明包内每个文件与清单 manifest.json 一致、清单与 Merkle 根一致。",
        "  能改动文件的人也能重新计算全部哈希、清单、Merkle 根和账本，所以仅凭哈希不能证明文件在某个时间",
        "  已经存在，也不能证明导入后没有被整体替换；账本记录的导入时间是本机时钟写下的，同样可以被重写。",
        "  有可信时间戳时（timestamp/ 文件夹，RFC 3161）：时间戳机构的签名证明这个 Merkle 根——也就是清单和其中",
        "  每个文件的哈希——不晚于时间戳上的时间已经存在；此后改动任何一个字节，核验都会失败。",
        "  无论有无时间戳，哈希都不能证明导入之前发生了什么，也不能单独证明文件内容的真实性或来源。",
        "  如需更强的证明，可向公证机构或司法区块链平台申请存证。原始手机记录请同时保留在原设备上，以便核对。",
        "  本软件的自动识别结果需经人工核实，不构成法律意见。",
        "",
        "四、账本数字（请另行保存）",
        f"  {ledger_head or '（未记录）'}",
        "  这是导出时证据库账本最后一条记录的哈希（它涵盖之前的全部记录），也写在 manifest.json 的 ledger_head 中。",
        "  请把它另行保存——抄在纸上、发给自己或律师、写进寄出的投诉材料。以后在本机运行",
        "  `weiquan vault head --check 这个数字`：如果账本末尾的记录被删除或账本被改写，核对会失败。",
        "",
        "-" * 40,
        "English summary",
        "  originals/ holds every original file byte for byte (named E001_<original name>); derived/ holds",
        "  machine-made texts (OCR, transcripts) that name their source; ledger.jsonl holds the vault's",
        "  hash-chained ledger entries for this case; manifest.json lists every file with SHA-256 and size;",
        "  MERKLE_ROOT.txt is the Merkle root over the manifest; timestamp/ holds an optional RFC 3161 token.",
        "  Verify with:  python3 verify.py   (inside the folder)  or  python3 verify.py package.zip",
        "  What a hash proves: without a timestamp, only that the files match this manifest and the manifest",
        "  matches its Merkle root; whoever can change the files can recompute every hash, the manifest, the",
        "  root and the ledger, so hashes alone prove neither when the files existed nor that they were not",
        "  replaced after import. With an RFC 3161 timestamp (timestamp/), the authority's signature proves the",
        "  Merkle root, hence every listed file, existed no later than the time in the token. Neither proves",
        "  anything about a file before it was imported, or that its content is true.",
        f"  Ledger digest at export (keep this number elsewhere): {ledger_head or '-'}",
        "  `weiquan vault head --check NUMBER` later shows whether the vault's ledger was cut or rewritten.",
        "",
    ]
    return "\n".join(lines)
