"""Turn what the user named (files, folders, zip archives, iTunes/Finder backups) into files to import.

Never trusts the container: zip members with absolute or ``../`` paths, symlink members,
encrypted members and zip bombs are refused (the archive itself is still kept in the vault);
folders and backups with symlinks pointing outside the folder are refused; iTunes backups
are read through ``Manifest.db`` (or the well-known hashed names) and only the message and
call databases are taken.
"""

from __future__ import annotations

import os
import plistlib
import re
import sqlite3
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, above which a large member is treated as a zip bomb
MAX_RATIO_MIN_SIZE = 50 << 20
MAX_ARCHIVE_TOTAL = 4 << 30  # what one archive may expand to (a full phone export is far less)
MAX_ARCHIVE_MEMBERS = 20_000
MAX_ARCHIVE_RATIO = 100  # expanded / compressed for the whole archive (above MAX_RATIO_MIN_SIZE): a zip bomb

# (domain, relativePath) → logical name inside an iTunes/Finder backup (docs/sources.md#format-ios)
BACKUP_TARGETS = {
    ("HomeDomain", "Library/SMS/sms.db"): "3d0d7e5fb2ce288813306e4d4636395e047a3d28",
    ("HomeDomain", "Library/CallHistoryDB/CallHistory.storedata"): "5a4935c78a5255723f707230a451d79c540d2741",
}
_HEX40 = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Refusal:
    """A container (or one entry of it) that is refused, with a bilingual reason."""

    path: str
    zh: str
    en: str


def is_junk(name: str) -> bool:
    return name in JUNK_NAMES or name.startswith("._") or name.startswith("~$")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def outside_links(root: Path) -> list[Path]:
    """Symlinks under ``root`` whose target lies outside it (or is dangling)."""
    bad: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            if p.is_symlink() and (not p.exists() or not _inside(p, root)):
                bad.append(p)
    return bad


def walk_folder(root: Path) -> tuple[list[Path], list[Path], list[Refusal]]:
    """(files, backup folders, refusals) under a folder, recursively, in a stable order.

    Symlinks inside the folder are skipped (their target is imported anyway); symlinks pointing
    outside are refused. iTunes backup folders are returned separately and not descended into.
    """
    files: list[Path] = []
    backups: list[Path] = []
    refused: list[Refusal] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames.sort()
        for d in list(dirnames):
            p = here / d
            if p.is_symlink():
                dirnames.remove(d)
                if not _inside(p, root):
                    refused.append(
                        Refusal(
                            str(p), "符号链接指向导入目录之外，已拒绝", "symlink points outside the folder; refused"
                        )
                    )
            elif is_itunes_backup(p):
                dirnames.remove(d)
                backups.append(p)
            elif d == "__MACOSX":
                dirnames.remove(d)
        for f in sorted(filenames):
            p = here / f
            if is_junk(f):
                continue
            if p.is_symlink():
                if not p.exists() or not _inside(p, root):
                    refused.append(
                        Refusal(
                            str(p),
                            "符号链接指向导入目录之外（或已失效），已拒绝",
                            "symlink points outside the folder (or is dangling); refused",
                        )
                    )
                continue
            if p.is_file():
                files.append(p)
    return files, backups, refused


# -- zip archives -------------------------------------------------------------


def is_office_zip(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist()[:200])
    return "[Content_Types].xml" in names


def zip_problem(zf: zipfile.ZipFile, name: str) -> Refusal | None:
    """Why this archive must not be expanded, or None if it is safe."""
    total = packed = 0
    infos = zf.infolist()
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        return Refusal(
            name,
            f"压缩包中的文件过多（{len(infos)} 个，上限 {MAX_ARCHIVE_MEMBERS} 个），已拒绝",
            f"archive has {len(infos)} members (limit {MAX_ARCHIVE_MEMBERS}); refused",
        )
    for info in infos:
        fn = info.filename.replace("\\", "/")
        parts = PurePosixPath(fn).parts
        if fn.startswith("/") or re.match(r"^[A-Za-z]:", fn) or ".." in parts:
            return Refusal(
                name,
                f"压缩包中含有越界路径（{info.filename}），为安全起见整体拒绝展开",
                f"archive member escapes the folder ({info.filename}); archive refused",
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            return Refusal(
                name,
                f"压缩包中含有符号链接（{info.filename}），为安全起见整体拒绝展开",
                f"archive contains a symlink ({info.filename}); archive refused",
            )
        if info.flag_bits & 0x1:
            return Refusal(
                name,
                "压缩包已加密（如短信备份 Pro 的加密备份）：请先用密码解压，再导入解压后的文件",
                "archive is encrypted; extract it with its password and import the extracted files",
            )
        if (
            info.file_size > MAX_RATIO_MIN_SIZE
            and info.compress_size
            and info.file_size / info.compress_size > MAX_MEMBER_RATIO
        ):
            return Refusal(
                name,
                f"压缩包成员压缩比异常（{info.filename}，疑似“压缩炸弹”），已拒绝",
                f"member {info.filename} has an abnormal compression ratio (zip bomb?); refused",
            )
        total += info.file_size
        packed += info.compress_size
    if total > MAX_ARCHIVE_TOTAL:
        return Refusal(
            name,
            f"压缩包解压后过大（超过 {MAX_ARCHIVE_TOTAL >> 30} GB），已拒绝",
            f"archive expands to more than {MAX_ARCHIVE_TOTAL >> 30} GB; refused",
        )
    if total > MAX_RATIO_MIN_SIZE and total > MAX_ARCHIVE_RATIO * max(packed, 1):
        return Refusal(
            name,
            "压缩包整体压缩比异常（疑似“压缩炸弹”），已拒绝",
            "the archive has an abnormal overall compression ratio (zip bomb?); refused",
        )
    return None


def zip_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    out = []
    for info in zf.infolist():
        fn = info.filename.replace("\\", "/")
        if info.is_dir() or fn.startswith("__MACOSX/") or is_junk(PurePosixPath(fn).name):
            continue
        out.append(info)
    return out


def extract_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest_dir: Path, index: int) -> Path:
    """Stream one member to a private temp file (never to a path derived from the member name)."""
    dest = dest_dir / f"member-{index:06d}"
    written = 0
    with zf.open(info) as src, open(dest, "wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > info.file_size:
                raise ValueError("member larger than declared")
            out.write(chunk)
    return dest


def decode_member_name(info: zipfile.ZipInfo) -> str:
    """Member names from Chinese Windows zips are often GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


# -- iTunes / Finder backups ---------------------------------------------------


def is_itunes_backup(folder: Path) -> bool:
    return (folder / "Manifest.db").is_file() or (folder / "Manifest.plist").is_file()


@dataclass(frozen=True)
class BackupFile:
    path: Path
    logical_name: str  # Domain-relativePath


def backup_files(folder: Path) -> tuple[list[BackupFile], Refusal | None]:
    """The message and call databases inside an unencrypted backup, or why the backup is refused."""
    name = folder.name
    links = outside_links(folder)
    if links:
        return [], Refusal(
            str(folder),
            f"备份目录中有指向目录之外的符号链接（{links[0].name}），已拒绝",
            f"the backup contains a symlink pointing outside it ({links[0].name}); refused",
        )
    plist = folder / "Manifest.plist"
    if plist.is_file():
        try:
            with open(plist, "rb") as f:
                info = plistlib.load(f)
            if info.get("IsEncrypted"):
                return [], Refusal(
                    str(folder),
                    "这是加密的 iPhone 备份：请在 iTunes/爱思助手中取消“加密本地备份”后重新备份，或改用截图",
                    "encrypted iPhone backup; make an unencrypted backup (or use screenshots)",
                )
        except (plistlib.InvalidFileException, OSError, ValueError):
            pass
    ids: dict[str, str] = {}
    manifest = folder / "Manifest.db"
    if manifest.is_file():
        try:
            con = sqlite3.connect(f"file:{manifest}?mode=ro&immutable=1", uri=True)
            try:
                for (domain, rel), _known in BACKUP_TARGETS.items():
                    row = con.execute(
                        "SELECT fileID FROM Files WHERE domain=? AND relativePath=?", (domain, rel)
                    ).fetchone()
                    if row:
                        ids[f"{domain}-{rel}"] = str(row[0])
            finally:
                con.close()
        except sqlite3.DatabaseError:
            return [], Refusal(
                str(folder),
                "Manifest.db 无法读取（备份可能已加密或损坏）",
                "Manifest.db cannot be read (encrypted or damaged backup)",
            )
    for (domain, rel), known in BACKUP_TARGETS.items():
        ids.setdefault(f"{domain}-{rel}", known)
    found: list[BackupFile] = []
    for logical, file_id in ids.items():
        if not _HEX40.match(file_id):
            return [], Refusal(
                str(folder),
                f"Manifest.db 中的文件名异常（{file_id[:60]}），已拒绝",
                f"unexpected file id in Manifest.db ({file_id[:60]}); refused",
            )
        for cand in (folder / file_id[:2] / file_id, folder / file_id, folder / "Snapshot" / file_id[:2] / file_id):
            if cand.is_symlink():
                return [], Refusal(
                    str(folder), "备份中的数据库是符号链接，已拒绝", "a database in the backup is a symlink; refused"
                )
            if cand.is_file() and _inside(cand, folder):
                found.append(BackupFile(cand, f"{name}/{logical}"))
                break
    return found, None
