"""The import service: files, folders, archives and backups into the vault and the timeline.

Per file: store the original in the vault first (so nothing is ever lost), detect the format
from the content by asking every registered importer, then parse and write all of its records
in ONE transaction. A file that cannot be parsed keeps its original in the vault and is marked
``unparsed`` with the reason; a file cut off midway keeps the records before the cut and is
marked ``partial``; screenshots and recordings are marked ``queued`` for extraction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
import datetime as dt
import logging
from pathlib import Path
import re
import secrets
import shutil
import tempfile
import traceback
from typing import Any, BinaryIO
import unicodedata
import zipfile

from pydantic import BaseModel
from sqlalchemy import func, select

from weiquan.config import DEFAULT_TIMEZONE
from weiquan.errors import InputError, WeiquanError
from weiquan.ingest.base import ImportContext, Importer, ParseError, Probe
from weiquan.ingest.sources import (
    Refusal,
    backup_files,
    decode_member_name,
    extract_member,
    is_itunes_backup,
    is_office_zip,
    walk_folder,
    zip_members,
    zip_problem,
)
from weiquan.ingest.tabular import FIELDS
from weiquan.ingest.timeutil import zone
from weiquan.ingest.values import checked
from weiquan.ingest.writer import EventWriter
from weiquan.plugins import collect
from weiquan.services.anchoring import anchor_head
from weiquan.services.cases import get_case_row
from weiquan.services.extraction import extractors, queue_for_evidence
from weiquan.store.models import Acquisition, Event, EventSource, Evidence
from weiquan.vault.sniff import sniff_bytes
from weiquan.workspace import Workspace
from weiquan.zh.steps import Note, step_of

log = logging.getLogger(__name__)
PROBE_BYTES = 64 * 1024
MAX_ARCHIVE_DEPTH = 2
DONE_STATES = ("parsed", "partial", "queued")


class FileResult(BaseModel):
    """What happened to one input file."""

    path: str
    name: str
    sha256: str | None = None
    evidence_id: int | None = None
    format: str | None = None
    status: str  # parsed | partial | queued | unparsed | already_imported | expanded | refused
    records: int = 0  # records read from the file
    added: int = 0  # new events
    merged: int = 0  # records that matched an existing event (duplicates merged, provenance added)
    unchanged: int = 0  # records already imported from this very file
    rejected: int = 0  # records skipped as unusable (warnings say which and why)
    attachments: int = 0
    warnings: list[str] = []
    error: str | None = None  # "中文 / English"
    error_line: int | None = None
    error_step: str | None = None  # the app step the error asks for (weiquan.zh.steps), each front end names it

    @property
    def failed(self) -> bool:
        return self.status in ("unparsed", "refused", "partial")

    @property
    def records_added(self) -> int:
        return self.added

    @property
    def file(self) -> str:
        return self.name


def importers() -> list[Importer]:
    return [i for i in collect("register_importers") if isinstance(i, Importer)]


# stored formats no plug-in reads: an archive is unpacked and its members imported one by one
ARCHIVE_FORMAT_ZH = {"zip": "压缩包"}


def format_labels() -> dict[str, str]:
    """Every stored format id with the words the pages show: each registered importer's and extractor's own
    ``label_zh`` (a plug-in's included), then the archive."""
    out = dict(ARCHIVE_FORMAT_ZH)
    for plugin in [*extractors(), *importers()]:
        if plugin.name and getattr(plugin, "label_zh", ""):
            out[plugin.name] = plugin.label_zh
    return out


def detect_format(probe: Probe, candidates: Sequence[Importer]) -> Importer | None:
    best: tuple[float, Importer] | None = None
    for imp in candidates:
        try:
            score = float(imp.detect(probe))
        except Exception as e:  # noqa: BLE001 - a plug-in's detect must not break the import
            log.warning("importer %s failed to detect: %s", imp.name, type(e).__name__)
            continue
        if score > 0 and (best is None or score > best[0]):
            best = (score, imp)
    return best[1] if best else None


def import_paths(
    ws: Workspace,
    case_id: int,
    paths: Iterable[Path | str],
    *,
    tz: str | None = None,
    mapping: dict[str, str] | None = None,
    progress: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Import files and folders (recursively; zip archives and iTunes backups expanded safely)."""
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        source_tz = tz or case.timezone or ws.settings.timezone
    zone(source_tz)  # validate early
    run = _Run(ws, case_id, source_tz, dict(mapping or {}), progress)
    for p in paths:
        path = Path(p).expanduser()
        if path.is_symlink() and not path.exists():
            run.refuse(Refusal(str(path), "符号链接已失效", "dangling symlink"))
        elif path.is_dir():
            run.folder(path)
        elif path.is_file():
            run.file(path, path.name)
        else:
            run.refuse(Refusal(str(path), "找不到文件或目录", "no such file or folder"))
    if run.results and any(r.sha256 for r in run.results):
        _anchor(ws, case_id, run.results)
    return run.results


def _anchor(ws: Workspace, case_id: int, results: list[FileResult]) -> None:
    """A trusted timestamp of the ledger head when a TSA is configured (a skipped one is said, not hidden)."""

    _, skipped = anchor_head(ws, "import", case_id=case_id)
    if skipped:
        results[-1].warnings.append(skipped)


class _Run:
    def __init__(
        self,
        ws: Workspace,
        case_id: int,
        tz: str,
        mapping: dict[str, str],
        progress: Callable[[FileResult], None] | None,
    ) -> None:
        self.ws = ws
        self.case_id = case_id
        self.tz = tz
        self.mapping = mapping
        self.progress = progress
        self.results: list[FileResult] = []
        self.importers = importers()

    def emit(self, r: FileResult) -> None:
        self.results.append(r)
        if self.progress:
            self.progress(r)

    def not_imported(self, path: Path | str, name: str, status: str, error: str) -> None:
        """A file or archive member that is refused or cannot be read, with its bilingual reason."""
        self.emit(FileResult(path=str(path), name=name, status=status, error=error))

    def refuse(self, ref: Refusal) -> None:
        self.not_imported(ref.path, Path(ref.path).name, "refused", f"{ref.zh} / {ref.en}")

    def folder(self, root: Path) -> None:
        if is_itunes_backup(root):
            self.backup(root)
            return
        files, backups, refused = walk_folder(root)
        for ref in refused:
            self.refuse(ref)
        for f in files:
            self.file(f, str(f.relative_to(root.parent)))
        for b in backups:
            self.backup(b)

    def backup(self, folder: Path) -> None:
        found, ref = backup_files(folder)
        if ref is not None:
            self.refuse(ref)
            return
        if not found:
            self.refuse(
                Refusal(
                    str(folder),
                    "iPhone 备份中没有找到短信或通话记录数据库",
                    "no message or call database in the backup",
                )
            )
            return
        for bf in found:
            self.file(bf.path, bf.logical_name)

    def file(
        self, path: Path, name: str, depth: int = 0, source_mtime: float | None = None, shown: str | None = None
    ) -> None:
        first = len(self.results)
        try:
            self._file(path, name, depth, source_mtime)
        finally:
            if shown is not None:  # an extracted archive member: show the archive, not the temp file
                for r in self.results[first:]:
                    if r.path == str(path):
                        r.path = shown

    def _file(self, path: Path, name: str, depth: int, source_mtime: float | None) -> None:
        try:
            if source_mtime is None:
                source_mtime = path.stat().st_mtime
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as zf:
                    office = is_office_zip(zf)
                if not office:
                    self.archive(path, name, depth)
                    return
            self.emit(
                import_one(
                    self.ws,
                    self.case_id,
                    path,
                    name,
                    tz=self.tz,
                    mapping=self.mapping,
                    candidates=self.importers,
                    source_mtime=source_mtime,
                )
            )
        except WeiquanError as e:
            self.not_imported(path, name, "unparsed", f"{e.zh} / {e.en}")
        except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as e:
            # UnicodeDecodeError: zipfile decodes member names flagged UTF-8 when it opens the archive
            self.not_imported(path, name, "unparsed", f"读取失败：{type(e).__name__} / cannot read: {e}")

    def _usable_member(self, path: Path, name: str) -> bool:
        """An archive member an importer reads, or a nested archive."""
        return zipfile.is_zipfile(path) or recognised(path, name, self.importers) is not None

    def archive(self, path: Path, name: str, depth: int) -> None:
        add = self.ws.vault.add(path, case_id=self.case_id, original_name=name, metadata={"via": "import"})
        result = FileResult(
            path=str(path),
            name=name,
            sha256=add.evidence.sha256,
            evidence_id=add.evidence.id,
            format="zip",
            status="expanded",
        )
        with zipfile.ZipFile(path) as zf:
            problem = zip_problem(zf, name)
            if problem is None and depth >= MAX_ARCHIVE_DEPTH:
                problem = Refusal(name, "压缩包嵌套过深", "archives nested too deeply")
            members = [] if problem else zip_members(zf)
            if problem:
                result.status, result.error = "refused", f"{name}：{problem.zh} / {name}: {problem.en}"
            _set_acquisition(
                self.ws,
                add.acquisition.id if add.acquisition else None,
                "unparsed" if problem else "parsed",
                "zip",
                result.error,
                {"members": len(members)},
            )
            self.emit(result)
            if problem:
                return
            with tempfile.TemporaryDirectory(dir=self.ws.home, prefix="import-") as tmp:
                for i, info in enumerate(members):
                    member_name = f"{name}!/{decode_member_name(info)}"
                    try:
                        extracted = extract_member(zf, info, Path(tmp), i)
                    except (ValueError, zipfile.BadZipFile, OSError, RuntimeError) as e:
                        self.not_imported(
                            path, member_name, "unparsed", f"压缩包成员无法解压 / member cannot be extracted: {e}"
                        )
                        continue
                    if not self._usable_member(extracted, member_name):
                        # never stored: the vault is write-once, and the archive itself is already kept
                        self.not_imported(
                            path,
                            member_name,
                            "refused",
                            f"{member_name}：无法识别的文件格式，未保存（整个压缩包已保存在证据库）/ "
                            "unrecognised member, not stored (the whole archive is kept in the vault)",
                        )
                        extracted.unlink(missing_ok=True)
                        continue
                    # zip times are local wall-clock without a zone: read them in the import zone
                    ts = (
                        dt.datetime(*info.date_time, tzinfo=zone(self.tz)).timestamp()
                        if info.date_time[0] >= 1980
                        else None
                    )
                    self.file(
                        extracted, member_name, depth + 1, source_mtime=ts, shown=f"{path}!/{decode_member_name(info)}"
                    )
                    extracted.unlink(missing_ok=True)


def recognised(
    path: Path, name: str, candidates: Sequence[Importer] | None = None, always: tuple[str, ...] = ()
) -> str | None:
    """The media type of ``path`` if an importer reads it (or it is one of the ``always`` types), else None."""
    with open(path, "rb") as f:
        head = f.read(PROBE_BYTES)
    if not head:
        return None
    media = sniff_bytes(head[:4096])
    if always and media.startswith(always):
        return media
    probe = Probe(path=path, head=head, media_type=media, name=name, options={"mapping": {}})
    return media if detect_format(probe, candidates if candidates is not None else importers()) is not None else None


def _set_acquisition(
    ws: Workspace,
    acq_id: int | None,
    status: str,
    fmt: str | None,
    error: str | None,
    info: dict[str, Any] | None = None,
) -> None:
    if acq_id is None:
        return
    with ws.db.session() as s:
        acq = s.get(Acquisition, acq_id)
        if acq is None:
            return
        acq.parse_status, acq.parse_format, acq.parse_error = status, fmt, error
        if info is not None:
            acq.meta = {**(acq.meta or {}), "import": info}


def import_one(
    ws: Workspace,
    case_id: int,
    path: Path,
    name: str,
    *,
    tz: str = DEFAULT_TIMEZONE,
    mapping: dict[str, str] | None = None,
    candidates: Sequence[Importer] | None = None,
    source_mtime: float | None = None,
) -> FileResult:
    """Store one file in the vault, detect its format and import its records in one transaction."""
    add = ws.vault.add(path, case_id=case_id, original_name=name, metadata={"via": "import"})
    ev, acq = add.evidence, add.acquisition
    assert acq is not None
    result = FileResult(path=str(path), name=name, sha256=ev.sha256, evidence_id=ev.id, status="pending")
    if ev.size == 0:
        return _fail(
            ws, acq.id, result, None, ParseError(f"{name}：文件为空（0 字节）", f"{name}: the file is empty (0 bytes)")
        )
    done = _previous_import(ws, case_id, ev.id, acq.id)
    if done is not None:
        done_id, done_status, done_format, done_error = done
        result.status, result.format = "already_imported", done_format
        if add.new_acquisition:
            _set_acquisition(ws, acq.id, done_status, done_format, done_error, {"same_as_acquisition": done_id})
        return result
    stored = ws.vault.path(ev.sha256)
    with open(stored, "rb") as f:
        head = f.read(PROBE_BYTES)
    options: dict[str, Any] = {"mapping": dict(mapping or {}), "source_mtime": source_mtime}
    probe = Probe(
        path=stored, head=head, media_type=ev.media_type or "application/octet-stream", name=name, options=options
    )
    imp = detect_format(probe, candidates if candidates is not None else importers())
    if imp is None:
        hint_zh, hint_en, hint_step = _hint(probe.media_type, name)
        return _fail(
            ws,
            acq.id,
            result,
            None,
            ParseError(
                Note(
                    f"{name}：无法识别的文件格式（按内容判断为 {probe.media_type}）{hint_zh}；原件已保存在证据库",
                    hint_step,
                ),
                f"{name}: unrecognised format (content looks like {probe.media_type}){hint_en}; the original is kept in the vault",
            ),
        )
    result.format = imp.name
    ctx = ImportContext(path=stored, original_name=name, sha256=ev.sha256, tz=tz, options=options)
    _warn_unmerged_wal(ctx, path, probe.media_type)
    partial: ParseError | None = None
    try:
        with ws.db.session() as s:
            # batches are written on a worker thread while the importer parses (see ingest.writer)
            # on SQLite the parsed batches are staged first and written at the end: the database's one write
            # lock is held for the short write, not while the file is parsed (other users' writes get through)
            with EventWriter(
                s,
                ws.vault.blobs,
                case_id=case_id,
                evidence_id=ev.id,
                evidence_sha256=ev.sha256,
                source_format=imp.name,
                background=True,
                staged=ws.db.engine.dialect.name == "sqlite",
            ) as writer:
                try:
                    for raw in imp.parse(ctx):
                        writer.add(checked(raw, ctx))
                except ParseError as e:
                    if not e.partial_ok:
                        raise
                    partial = e
                writer.flush()
            stats = writer.stats
            if stats.records == 0 and ctx.rejected and partial is None:
                raise ParseError(
                    f"{name}：所有 {ctx.rejected} 条记录的时间都超出合理范围（如 1970 或 2100 年），未导入任何记录",
                    f"{name}: all {ctx.rejected} records have implausible dates (e.g. 1970 or 2100); nothing imported",
                )
            status = "partial" if partial else ("queued" if imp.extraction else "parsed")
            acq_row = s.get(Acquisition, acq.id)
            assert acq_row is not None
            acq_row.parse_status, acq_row.parse_format = status, imp.name
            acq_row.parse_error = f"{partial.zh} / {partial.en}" if partial else None
            acq_row.meta = {
                **(acq_row.meta or {}),
                "import": {
                    "records": stats.records,
                    "added": stats.added,
                    "merged": stats.merged,
                    "unchanged": stats.unchanged,
                    "rejected": ctx.rejected,
                    "importer_version": imp.version,
                    "tz": tz,
                },
            }
    except ParseError as e:
        result.warnings = ctx.finish_warnings()
        return _fail(ws, acq.id, result, imp.name, e)
    except WeiquanError as e:
        result.warnings = ctx.finish_warnings()
        return _fail(ws, acq.id, result, imp.name, ParseError(e.zh, e.en))
    except Exception as e:  # noqa: BLE001 - one broken file must not stop the others; nothing was written
        # the type and the stack only: an exception's message may quote what it failed on (a body, a number)
        log.error(
            "importer %s crashed on a file: %s\n%s",
            imp.name,
            type(e).__name__,
            "".join(traceback.format_tb(e.__traceback__)).rstrip(),
        )
        return _fail(
            ws,
            acq.id,
            result,
            imp.name,
            ParseError(
                f"{name}：解析时发生内部错误（{type(e).__name__}），未写入任何记录；原件已保存",
                f"{name}: internal error while parsing ({type(e).__name__}: {e}); nothing written, original kept",
            ),
        )
    result.status = status
    result.records, result.added, result.merged, result.unchanged = (
        stats.records,
        stats.added,
        stats.merged,
        stats.unchanged,
    )
    result.rejected, result.attachments = ctx.rejected, stats.attachments
    result.warnings = ctx.finish_warnings()
    if partial:
        result.error, result.error_line = f"{partial.zh} / {partial.en}", partial.line
    if imp.extraction:
        _queue_extraction(ws, case_id, ev.id, imp.extraction, result)
    return result


def _warn_unmerged_wal(ctx: ImportContext, path: Path, media_type: str) -> None:
    """A database copied off a phone may come with a ``-wal`` file holding its latest changes, which
    the database file alone does not show (the stored original is opened read-only, as is)."""
    wal = path.with_name(path.name + "-wal")
    if media_type == "application/vnd.sqlite3" and wal.is_file() and wal.stat().st_size > 0:
        ctx.warn(
            f"同一文件夹里有 {wal.name}（数据库的预写日志），其中最新的记录不在 {path.name} 里，本次未读取："
            f"请先合并（见 docs/ingest.md）再导入 / {wal.name} beside it holds changes not yet in the database "
            "file; they were not read: merge it first (docs/ingest.md), then import again"
        )


ENCRYPTED_BACKUP_NAMES = ("sms.db", "calllog.db", "contact.db", "sms.tar", "calllog.tar")  # Huawei/Honor backup members


def _hint(media_type: str, name: str = "") -> tuple[str, str, str | None]:
    """What the user can do about a file no importer reads: (zh, en, the app step it asks for)."""
    if media_type == "application/octet-stream" and name.lower().rsplit("/", 1)[-1].endswith(ENCRYPTED_BACKUP_NAMES):
        return (
            "。文件名像华为/荣耀备份里的数据库，但内容不是 SQLite，多半是加密的备份：请先用备份密码解密（如 kobackupdec），"
            "再导入解密后的文件夹；或改用“短信备份与恢复”（SMS Backup & Restore）导出",
            ". The name looks like a Huawei/Honor backup database but the content is not SQLite: most likely an "
            "encrypted backup. Decrypt it with the backup password first (e.g. kobackupdec) and import the decrypted "
            "folder, or export with SMS Backup & Restore instead",
            None,
        )
    if media_type.startswith("text/plain"):
        return (
            "。若是表格（CSV），请指明哪一列是时间、号码、内容",
            ". If it is a CSV table, name its time, number and text columns",
            "column_map",
        )
    if media_type == "application/vnd.sqlite3":
        return (
            "。这是 SQLite 数据库，但不是已知的短信/通话记录库（sms.db、CallHistory.storedata、mmssms.db、calllog.db）",
            ". It is an SQLite database but not a known message/call database "
            "(sms.db, CallHistory.storedata, mmssms.db, calllog.db)",
            None,
        )
    if media_type == "application/xml":
        return (
            "。XML 根元素不是已知格式（smses、calls、CallLog）",
            ". The XML root element is not a known export (smses, calls, CallLog)",
            None,
        )
    return "", "", None


def _previous_import(
    ws: Workspace, case_id: int, evidence_id: int, acq_id: int
) -> tuple[int, str, str | None, str | None] | None:
    """(acquisition id, status, format, error) of an earlier completed import of the same blob into the case."""
    with ws.db.read_session() as s:
        q = (
            select(Acquisition.id, Acquisition.parse_status, Acquisition.parse_format, Acquisition.parse_error)
            .where(
                Acquisition.evidence_id == evidence_id,
                Acquisition.case_id == case_id,
                Acquisition.parse_status.in_(DONE_STATES),
            )
            .order_by(Acquisition.id)
        )
        row = s.execute(q).first()
        return None if row is None else (row[0], row[1], row[2], row[3])


def _fail(ws: Workspace, acq_id: int, result: FileResult, fmt: str | None, e: ParseError) -> FileResult:
    result.status, result.format = "unparsed", fmt
    result.error, result.error_line, result.error_step = f"{e.zh} / {e.en}", e.line, step_of(e.zh)
    _set_acquisition(ws, acq_id, "unparsed", fmt, result.error)
    return result


def _queue_extraction(ws: Workspace, case_id: int, evidence_id: int, kind: str, result: FileResult) -> None:
    """Queue a screenshot (OCR) or recording (ASR) job; `weiquan extract` or `import --extract` runs it."""
    try:
        queue_for_evidence(ws, case_id, evidence_id, kind)
    except WeiquanError as e:
        result.warnings.append(f"{e.zh} / {e.en}")


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["时间=time", "对方=number"]`` → ``{"时间": "time", "对方": "number"}`` (CLI ``--map``)."""

    out: dict[str, str] = {}
    for item in items:
        col, sep, fld = item.partition("=")
        col, fld = col.strip(), fld.strip().lower()
        if not sep or not col or fld not in FIELDS:
            raise InputError(
                f"列的指定应写成 列名=字段，字段可为 {', '.join(FIELDS)}：{item}",
                f"a column must be named as COLUMN=FIELD with FIELD one of {', '.join(FIELDS)}: {item}",
            )
        out[col] = fld
    return out


# -- uploads from the web: a received file staged safely (never its client name as a path), its type checked by content, then imported

CHUNK = 1024 * 1024
ALWAYS_ACCEPTED = ("image/", "audio/", "application/zip")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_leaf_name(name: str | None, fallback: str = "upload") -> str:
    """A plain file name derived from a client-supplied one (never a path)."""
    raw = unicodedata.normalize("NFC", name or "")
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]  # drop any folder part, Windows or POSIX
    raw = _UNSAFE.sub("_", raw).strip().lstrip(".").strip()
    if not raw or raw in (".", ".."):
        raw = fallback
    if len(raw.encode("utf-8")) > 200:
        stem, dot, ext = raw.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        base = stem if dot else raw
        while len((base + ("." + ext if ext else "")).encode("utf-8")) > 200:
            base = base[:-1]
        raw = base + ("." + ext if ext else "")
    return raw


def staging_root(ws: Workspace) -> Path:
    p = ws.home / "uploads-tmp"
    p.mkdir(parents=True, exist_ok=True)
    return p


@contextmanager
def staged(ws: Workspace, src: BinaryIO, name: str | None, *, max_bytes: int) -> Iterator[Path]:
    """Copy an uploaded stream into a fresh staging folder (size-limited); removed afterwards in all cases."""
    folder = staging_root(ws) / secrets.token_hex(12)
    folder.mkdir(mode=0o700)
    try:
        dest = folder / safe_leaf_name(name)
        size = 0
        with open(dest, "xb") as out:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(
                        f"文件太大（超过 {max_bytes // (1024 * 1024)} MB），未导入",
                        f"file too large (over {max_bytes // (1024 * 1024)} MB); not imported",
                    )
                out.write(chunk)
        yield dest
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_type(path: Path) -> str:
    """The sniffed media type if weiquan can use the file; InputError otherwise."""
    if path.stat().st_size == 0:
        raise InputError("文件是空的（0 字节），未导入", "the file is empty (0 bytes); not imported")
    media = recognised(path, path.name, always=ALWAYS_ACCEPTED)
    if media is not None:
        return media
    with open(path, "rb") as f:
        media = sniff_bytes(f.read(4096))
    raise InputError(
        f"无法识别这个文件的格式（按内容判断为 {media}），未导入。请上传手机导出的短信/通话记录、截图或录音。",
        f"unrecognised file type (content looks like {media}); not imported",
    )


StagedImport = Callable[[int, Path, "str | None"], list[FileResult]]


def import_upload(
    ws: Workspace,
    case_id: int,
    src: BinaryIO,
    name: str | None,
    *,
    max_bytes: int,
    tz: str | None = None,
    run: StagedImport | None = None,
) -> list[FileResult]:
    """Stage, check and import one uploaded file. Refusals come back as a ``refused`` result, nothing stored.

    ``run(case_id, staged_path, tz)`` imports the staged file (default: :func:`import_paths` here; the web
    server passes one that runs it in a worker process, see ``weiquan.web.jobs``)."""
    leaf = safe_leaf_name(name)
    try:
        with staged(ws, src, name, max_bytes=max_bytes) as path:
            check_type(path)
            results = (run or _import_staged(ws))(case_id, path, tz)
        # the staging path means nothing to the user and is gone now
        return [r.model_copy(update={"path": r.name}) for r in results]
    except InputError as e:
        return [FileResult(path="", name=leaf, status="refused", error=f"{e.zh} / {e.en}")]


def _import_staged(ws: Workspace) -> StagedImport:
    return lambda case_id, path, tz: import_paths(ws, case_id, [path], tz=tz)


class CaseFile(BaseModel):
    acquisition_id: int
    evidence_id: int
    name: str | None
    media_type: str | None
    size: int
    sha256: str
    status: str
    format: str | None
    error: str | None
    acquired_at: dt.datetime
    records: int | None = None


def case_files(ws: Workspace, case_id: int, *, limit: int = 500) -> list[CaseFile]:
    """The files given to a case, newest first, with their parse state."""
    with ws.db.read_session() as s:
        q = (
            select(Acquisition, Evidence)
            .join(Evidence, Evidence.id == Acquisition.evidence_id)
            .where(Acquisition.case_id == case_id)
            .order_by(Acquisition.id.desc())
            .limit(limit)
        )
        rows = s.execute(q).all()
        # screenshots and recordings get their records from extraction, after the import counted 0
        extracted = {ev.id for _acq, ev in rows if (ev.media_type or "").startswith(("image/", "audio/"))}
        counts = (
            dict(
                s.execute(
                    select(EventSource.evidence_id, func.count(func.distinct(EventSource.event_id)))
                    .join(Event, Event.id == EventSource.event_id)
                    .where(Event.case_id == case_id, EventSource.evidence_id.in_(extracted))
                    .group_by(EventSource.evidence_id)
                ).all()
            )
            if extracted
            else {}
        )
        out = []
        for acq, ev in rows:
            meta = (acq.meta or {}).get("import") or {}
            records = meta.get("records") if isinstance(meta, dict) else None
            if ev.id in extracted and acq.parse_status != "queued":
                records = counts.get(ev.id, 0)
            out.append(
                CaseFile(
                    acquisition_id=acq.id,
                    evidence_id=ev.id,
                    name=acq.original_name,
                    media_type=ev.media_type,
                    size=ev.size,
                    sha256=ev.sha256,
                    status=acq.parse_status,
                    format=acq.parse_format,
                    error=acq.parse_error,
                    acquired_at=acq.acquired_at,
                    records=records,
                )
            )
        return out
