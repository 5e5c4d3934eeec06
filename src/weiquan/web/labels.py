"""Labels only the web pages show (file formats, upload and job states, document names); the shared vocabulary
(channels, directions, recipients, licence types, severities, review and action states) is ``weiquan.zh.labels``,
re-exported here so the templates reach every table as ``L.NAME``.

Violation category names come from the law pack (``law/``), not from here.
"""

from __future__ import annotations

from weiquan.zh.labels import (
    ACTION_STATUS_ZH,
    CHANNEL_ZH,
    DIRECTION_ZH,
    IMPORT_STATUS_ZH,
    LICENCE_ZH,
    MESSAGE_DIRECTION_ZH,
    ORIGIN_ZH,
    RECIPIENT_ZH,
    REVIEW_ZH,
    SEVERITY_ZH,
    VISIT_DIRECTION_ZH,
    direction_label,
    label,
)

__all__ = [
    "ACTION_STATUS_ZH",
    "CHANNEL_ZH",
    "DIRECTION_ZH",
    "JOB_STATUS_ZH",
    "LICENCE_ZH",
    "MESSAGE_DIRECTION_ZH",
    "ORIGIN_ZH",
    "PARSE_STATUS_ZH",
    "RECIPIENT_ZH",
    "REVIEW_ZH",
    "SEVERITY_ZH",
    "VISIT_DIRECTION_ZH",
    "direction_label",
    "file_format",
    "label",
]

PARSE_STATUS_ZH = IMPORT_STATUS_ZH
JOB_STATUS_ZH = {"pending": "排队中", "running": "识别中", "done": "已完成", "failed": "失败", "paused": "已暂停"}


def file_format(fmt: str | None, media_type: str | None = None, formats: dict[str, str] | None = None) -> str:
    """A file's format in words (``formats``: the registered importers' and extractors' own labels, from
    ``services.imports.format_labels``); unknown ids fall back to a generic description, never the raw id."""
    if fmt:
        return (formats or {}).get(fmt, "其他格式")
    if media_type:
        major = media_type.split("/", 1)[0]
        return {"image": "图片", "audio": "录音", "video": "视频", "text": "文本"}.get(major, "其他文件")
    return ""
