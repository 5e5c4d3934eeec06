#!/usr/bin/env python3
"""Standalone verifier for a weiquan evidence package (证据包核验程序).

This file is copied byte for byte into every evidence package as ``verify.py``.
It uses the Python standard library only (3.8+) and runs under ``python3 -I``:

    python3 verify.py              # verify the folder this file is in (the unzipped package)
    python3 verify.py case.zip     # verify a package without unzipping it
    python3 verify.py FOLDER       # verify an unzipped package elsewhere
    python3 verify.py --json …     # machine-readable result
    python3 verify.py --head WQ-…  # also compare the ledger digest with the one you kept elsewhere

What it checks:
1. ``manifest.json`` lists every file with its SHA-256 and size; the Merkle root
   recomputed over the manifest must equal ``MERKLE_ROOT.txt`` (any edit of the
   manifest is detected).
2. Every listed file is present and hashes to the listed SHA-256 and size;
   every altered, missing or extra file is named.
3. ``ledger.jsonl`` (the vault's hash-chained ledger entries for this case):
   every entry's hash is recomputed, links between consecutive entries are
   checked, and every original file must have its import entry.
4. It prints the ledger digest recorded at export (``ledger_head`` in the manifest,
   ``WQ-<entries>:<hash>``) so that it can be compared with the copy kept
   elsewhere (in the README, a report sent to a regulator, on paper); with
   ``--head NUMBER`` it compares them itself and fails when they differ.
5. ``timestamp/merkle_root.tsr`` (optional RFC 3161 token): the Merkle root must
   be the token's message imprint. Checking the TSA's signature needs a
   cryptography library: run ``weiquan verify case.zip`` or
   ``openssl ts -verify -digest <MERKLE_ROOT> -in timestamp/merkle_root.tsr -CAfile <TSA CA>``.

Exit status: 0 when everything verifies, 1 on any problem, 2 on bad usage.

Merkle tree (RFC 6962 style): leaf = SHA-256(0x00 || canonical JSON),
node = SHA-256(0x01 || left || right), split at the largest power of two below n.
Leaves: the manifest without its ``files`` list, then each file entry sorted by path.
Canonical JSON: UTF-8, sorted keys, separators ``,`` and ``:``, non-ASCII kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
import zlib

MANIFEST = "manifest.json"
ROOT_FILE = "MERKLE_ROOT.txt"
TSA_TOKEN = "timestamp/merkle_root.tsr"
TSA_INFO = "timestamp/tsa.json"
LEDGER = "ledger.jsonl"
# Files that are not (and cannot be) listed in the manifest.
UNLISTED = frozenset({MANIFEST, ROOT_FILE, TSA_TOKEN, TSA_INFO})
GENESIS = "0" * 64
CHUNK = 1 << 20
FORMAT = "weiquan-evidence-package"


# --------------------------------------------------------------------------- hashing


def canonical_json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def leaf_hash(obj: object) -> bytes:
    return hashlib.sha256(b"\x00" + canonical_json(obj)).digest()


def merkle_root_of_hashes(leaves: list) -> bytes:
    """RFC 6962 Merkle tree hash over already-hashed leaves (iterative, O(n) memory for the level)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _mth(leaves, 0, len(leaves))


def _mth(leaves: list, lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 1:
        return leaves[lo]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(leaves, lo, lo + k) + _mth(leaves, lo + k, hi)).digest()


def manifest_leaves(manifest: dict) -> list:
    header = {k: v for k, v in manifest.items() if k != "files"}
    files = sorted(manifest.get("files", []), key=lambda f: str(f.get("path", "")))
    return [leaf_hash(header)] + [leaf_hash(f) for f in files]


def merkle_root(manifest: dict) -> str:
    return merkle_root_of_hashes(manifest_leaves(manifest)).hex()


def ledger_entry_hash(e: dict) -> str:
    """Hash of one ledger entry exactly as weiquan's vault computes it."""
    payload = {
        "seq": e.get("seq"),
        "ts": e.get("ts"),
        "action": e.get("action"),
        "sha256": e.get("evidence_sha256"),
        "case": e.get("case_id"),
        "meta": e.get("meta"),
        "prev": e.get("prev_hash"),
    }
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- package access


class _DirPackage:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.label = self.root

    def names(self) -> list:
        out = []
        for base, _dirs, files in os.walk(self.root):
            for f in files:
                rel = os.path.relpath(os.path.join(base, f), self.root)
                out.append(rel.replace(os.sep, "/"))
        return sorted(out)

    def open(self, name: str):  # noqa: ANN201 - binary file object
        return open(os.path.join(self.root, *name.split("/")), "rb")

    def close(self) -> None:
        pass


class _ZipPackage:
    def __init__(self, path: str) -> None:
        self.zf = zipfile.ZipFile(path)
        self.label = path
        names = [i.filename for i in self.zf.infolist() if not i.is_dir()]
        # A package is written inside one top-level folder; find it by its manifest.
        self.prefix = ""
        if MANIFEST not in names:
            tops = sorted({n.split("/", 1)[0] for n in names if "/" in n})
            for top in tops:
                if top + "/" + MANIFEST in names:
                    self.prefix = top + "/"
                    break
        self._names = sorted(n[len(self.prefix) :] if n.startswith(self.prefix) else "../" + n for n in names)

    def names(self) -> list:
        return list(self._names)

    def open(self, name: str):
        f = self.zf.open(self.prefix + name)
        # The ZIP's own CRC would abort the read of a damaged member with an exception; the
        # manifest's SHA-256 is the check that counts, so read the bytes as stored and compare those.
        f._expected_crc = None  # noqa: SLF001 - documented attribute of zipfile.ZipExtFile
        return f

    def close(self) -> None:
        self.zf.close()


def open_package(path: str):
    if os.path.isdir(path):
        return _DirPackage(path)
    if zipfile.is_zipfile(path):
        return _ZipPackage(path)
    raise ValueError(path)


DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


def hash_member(pkg, name: str) -> tuple:
    """SHA-256 and size of one member; a member whose compressed data is damaged hashes as "unreadable"."""
    h = hashlib.sha256()
    size = 0
    try:
        with pkg.open(name) as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                h.update(chunk)
                size += len(chunk)
    except DAMAGED:
        return "unreadable", -1
    return h.hexdigest(), size


# What the verifier reads into memory, at most (a forged ZIP may declare anything; a real package of
# 100,000 files has a manifest of ~40 MB). Everything else is hashed as it streams.
MAX_MEMBER_BYTES = {"manifest.json": 128 << 20, "MERKLE_ROOT.txt": 64 << 10, "timestamp.tsr": 1 << 20}
MAX_LEDGER_LINE = 1 << 20


def read_member(pkg, name: str) -> bytes:
    limit = MAX_MEMBER_BYTES.get(name.rsplit("/", 1)[-1], 16 << 20)
    try:
        with pkg.open(name) as f:
            data = f.read(limit + 1)
    except DAMAGED as e:
        raise DamagedMember(name) from e
    if len(data) > limit:
        raise MemberTooLarge(name, limit)
    return data


def member_lines(pkg, name: str):  # noqa: ANN001, ANN201 - yields (line number, bytes or None if too long)
    """The lines of a member, streamed; a line longer than ``MAX_LEDGER_LINE`` is yielded as None."""
    try:
        with pkg.open(name) as f:
            n = 0
            while True:
                line = f.readline(MAX_LEDGER_LINE + 1)
                if not line:
                    return
                n += 1
                if len(line) > MAX_LEDGER_LINE and not line.endswith(b"\n"):
                    while (rest := f.readline(CHUNK)) and not rest.endswith(b"\n"):
                        pass
                    yield n, None
                    continue
                yield n, line
    except DAMAGED as e:
        raise DamagedMember(name) from e


class DamagedMember(ValueError):
    """A member of the ZIP cannot be decompressed (its bytes were altered)."""


class MemberTooLarge(Exception):
    """A member the verifier must read whole is larger than any real package has (a forged ZIP)."""

    def __init__(self, name: str, limit: int) -> None:
        super().__init__(name)
        self.name, self.limit = name, limit


# --------------------------------------------------------------------------- checks


def _problem(kind: str, path: str, zh: str, en: str) -> dict:
    return {"kind": kind, "path": path, "zh": zh, "en": en}


def _failed(path: str, problem: dict) -> dict:
    """The result for a package that could not be checked at all (nothing read, one problem)."""
    return {
        "ok": False,
        "package": path,
        "files_checked": 0,
        "merkle_root": None,
        "timestamp": None,
        "problems": [problem],
    }


def verify_package(path: str) -> dict:
    """Verify a package folder or ZIP; returns a JSON-serialisable result (``ok`` plus ``problems``)."""
    try:
        pkg = open_package(path)
    except (ValueError, OSError, zipfile.BadZipFile):
        return _failed(
            path,
            _problem("unreadable", path, "不是证据包文件夹或 ZIP 文件", "not a package folder or ZIP file"),
        )
    try:
        return _verify(pkg)
    except DamagedMember as e:
        return _failed(
            path,
            _problem(
                "altered",
                str(e),
                "文件已损坏，无法解压（内容被修改）",
                "file is damaged and cannot be decompressed (altered)",
            ),
        )
    except MemberTooLarge as e:
        mb = e.limit >> 20 or 1
        return _failed(
            path,
            _problem(
                "unreadable",
                e.name,
                f"文件解压后超过 {mb} MB，不是真实证据包的内容（已停止核验）",
                f"expands to more than {mb} MB, which no real package has; verification stopped",
            ),
        )
    finally:
        pkg.close()


def _verify(pkg) -> dict:  # noqa: ANN001, C901 - one linear list of checks
    problems: list = []
    result = {
        "ok": False,
        "package": pkg.label,
        "files_checked": 0,
        "merkle_root": None,
        "timestamp": None,
        "problems": problems,
    }
    present = set(pkg.names())
    if MANIFEST not in present:
        problems.append(
            _problem(
                "missing",
                MANIFEST,
                "缺少清单文件 manifest.json，无法核验",
                "manifest.json is missing; nothing can be verified",
            )
        )
        return result
    try:
        manifest = json.loads(read_member(pkg, MANIFEST).decode("utf-8"))
        files = manifest["files"]
        if not isinstance(files, list) or manifest.get("format") != FORMAT:
            raise ValueError("format")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        problems.append(
            _problem(
                "manifest",
                MANIFEST,
                "清单文件无法读取或格式不对（已被修改或损坏）",
                "manifest.json is unreadable or malformed (altered or damaged)",
            )
        )
        return result

    root = merkle_root(manifest)
    result["merkle_root"] = root
    head = manifest.get("ledger_head")
    result["ledger_head"] = head if isinstance(head, str) else None
    if ROOT_FILE not in present:
        problems.append(_problem("missing", ROOT_FILE, "缺少 Merkle 根文件", "MERKLE_ROOT.txt is missing"))
    else:
        stored = _root_from_text(read_member(pkg, ROOT_FILE))
        if stored != root:
            problems.append(
                _problem(
                    "merkle",
                    MANIFEST,
                    f"Merkle 根不符：清单 manifest.json 被修改（重新计算 {root[:16]}…，记录 {(stored or '无')[:16]}…）",
                    f"Merkle root mismatch: manifest.json was edited (recomputed {root[:16]}…, recorded {(stored or 'none')[:16]}…)",
                )
            )

    listed: dict = {}
    for f in files:
        p = str(f.get("path", ""))
        if not p or p in listed:
            problems.append(
                _problem(
                    "manifest", MANIFEST, f"清单中路径为空或重复：{p}", f"empty or duplicate path in the manifest: {p}"
                )
            )
            continue
        listed[p] = f
    for p, f in sorted(listed.items()):
        if p not in present:
            problems.append(_problem("missing", p, "文件缺失", "file is missing"))
            continue
        digest, size = hash_member(pkg, p)
        result["files_checked"] += 1
        if digest != f.get("sha256") or size != f.get("size"):
            problems.append(
                _problem(
                    "altered",
                    p,
                    f"文件被修改（哈希不符：应为 {str(f.get('sha256'))[:16]}…，实为 {digest[:16]}…）",
                    f"file altered (hash mismatch: expected {str(f.get('sha256'))[:16]}…, got {digest[:16]}…)",
                )
            )
    for p in sorted(present - set(listed) - UNLISTED):
        problems.append(_problem("extra", p, "多出的文件（不在清单中）", "extra file (not in the manifest)"))

    if LEDGER in listed and LEDGER in present:
        problems.extend(_check_ledger(pkg, files))
    if TSA_TOKEN in present:
        token = read_member(pkg, TSA_TOKEN)
        found = bytes.fromhex(root) in token
        result["timestamp"] = {"present": True, "imprint_matches": found}
        if not found:
            problems.append(
                _problem(
                    "timestamp",
                    TSA_TOKEN,
                    "可信时间戳不是对本清单 Merkle 根签发的",
                    "the trusted timestamp was not issued over this manifest's Merkle root",
                )
            )
    result["ok"] = not problems
    return result


def _root_from_text(data: bytes) -> str | None:
    for line in data.decode("utf-8", "replace").splitlines():
        s = line.strip().lower()
        if len(s) == 64 and all(c in "0123456789abcdef" for c in s):
            return s
    return None


def _check_ledger(pkg, files: list) -> list:
    problems = []
    seen_sha = set()
    prev = None
    for lineno, raw in member_lines(pkg, LEDGER):
        if raw is None:
            problems.append(
                _problem("ledger", LEDGER, f"第 {lineno} 行过长，无法读取", f"line {lineno} is too long to read")
            )
            continue
        line = raw.decode("utf-8", "replace")
        if not line.strip():
            continue
        try:
            e = json.loads(line)
        except ValueError:
            problems.append(_problem("ledger", LEDGER, f"第 {lineno} 行无法读取", f"line {lineno} is unreadable"))
            continue
        if ledger_entry_hash(e) != e.get("entry_hash"):
            problems.append(
                _problem(
                    "ledger",
                    LEDGER,
                    f"账本记录 {e.get('seq')} 的哈希不符（被修改）",
                    f"ledger entry {e.get('seq')} hash mismatch (altered)",
                )
            )
        if prev is not None and e.get("seq") == prev.get("seq", 0) + 1 and e.get("prev_hash") != prev.get("entry_hash"):
            problems.append(
                _problem(
                    "ledger",
                    LEDGER,
                    f"账本记录 {e.get('seq')} 与上一条的链接断开",
                    f"ledger entry {e.get('seq')} does not link to the previous entry",
                )
            )
        if e.get("action") in ("acquired", "reacquired", "derived") and e.get("evidence_sha256"):
            seen_sha.add(e["evidence_sha256"])
        prev = e
    for f in files:
        if f.get("role") in ("original", "derived") and f.get("sha256") not in seen_sha:
            problems.append(
                _problem(
                    "ledger",
                    str(f.get("path")),
                    "账本中没有该文件的入库记录",
                    "no import entry for this file in the ledger",
                )
            )
    return problems


# --------------------------------------------------------------------------- command line


def _digest_key(text: str) -> str:
    """A ledger digest as printed (``WQ-12:3f2a9c1b-…``) without grouping, prefix or case."""
    s = "".join(c for c in text if not c.isspace() and c != "-").lower()
    return s[2:] if s.startswith("wq") else s


def compare_head(result: dict, kept: str) -> None:
    """Add a problem to ``result`` when the package's ledger digest is not the one kept elsewhere."""
    recorded = result.get("ledger_head")
    result["ledger_head_kept"] = kept
    if not recorded:
        result["problems"].append(
            _problem(
                "ledger",
                MANIFEST,
                "证据包没有记录账本数字，无法与保存的数字比较",
                "the package records no ledger digest to compare with the kept one",
            )
        )
    elif _digest_key(recorded) != _digest_key(kept):
        result["problems"].append(
            _problem(
                "ledger",
                MANIFEST,
                f"账本数字与另行保存的数字不同（证据包 {recorded}，保存的 {kept}）",
                f"the ledger digest differs from the one kept elsewhere (package {recorded}, kept {kept})",
            )
        )
    result["ok"] = not result["problems"]


def _print_head(result: dict) -> None:
    head = result.get("ledger_head")
    if not head:
        return
    out = sys.stdout
    out.write(f"账本数字（导出时，请与另行保存的数字比较）：{head}\n")
    out.write(f"Ledger digest at export (compare it with the copy kept elsewhere): {head}\n")
    if result.get("ledger_head_kept") and result["ok"]:
        out.write("与保存的数字一致。 It matches the kept number.\n")


def _print_human(result: dict) -> None:
    _print_human_result(result)
    _print_head(result)


def _print_human_result(result: dict) -> None:
    out = sys.stdout
    if result["ok"]:
        out.write("OK\n")
        out.write(f"全部 {result['files_checked']} 个文件与清单一致，Merkle 根 {result['merkle_root']} 相符。\n")
        out.write(
            f"All {result['files_checked']} files match the manifest; Merkle root {result['merkle_root']} verified.\n"
        )
        ts = result.get("timestamp")
        if ts:
            out.write(
                "可信时间戳的摘要与 Merkle 根一致；签名请用 `weiquan verify` 或 openssl 核验。\n"
                "The trusted timestamp's imprint matches; check its signature with `weiquan verify` or openssl.\n"
            )
        return
    out.write(f"FAILED 核验失败：发现 {len(result['problems'])} 个问题 / {len(result['problems'])} problem(s) found\n")
    labels = {
        "altered": "被修改 ALTERED",
        "missing": "缺失 MISSING",
        "extra": "多出 EXTRA",
        "merkle": "清单被改 MERKLE",
        "manifest": "清单 MANIFEST",
        "ledger": "账本 LEDGER",
        "timestamp": "时间戳 TIMESTAMP",
        "unreadable": "无法读取 UNREADABLE",
    }
    for p in result["problems"]:
        out.write(f"{labels.get(p['kind'], p['kind'])}: {p['path']} — {p['zh']} / {p['en']}\n")


def main(argv: list | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    kept = None
    if "--head" in args:
        i = args.index("--head")
        if i + 1 >= len(args):
            sys.stdout.write(__doc__ or "")
            return 2
        kept = args[i + 1]
        del args[i : i + 2]
    if any(a in ("-h", "--help") for a in args) or len(args) > 1:
        sys.stdout.write(__doc__ or "")
        return 0 if args and args[0] in ("-h", "--help") else 2
    target = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    result = verify_package(target)
    if kept is not None:
        compare_head(result, kept)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_human(result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
