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

__all__ = ["ACTION_STATUS_ZH", "CHANNEL_ZH", "DIRECTION_ZH", "DOC_ZH", "FORMAT_ZH", "JOB_STATUS_ZH", "LICENCE_ZH",
           "MESSAGE_DIRECTION_ZH", "ORIGIN_ZH", "PARSE_STATUS_ZH", "RECIPIENT_ZH", "REVIEW_ZH", "SEVERITY_ZH",
           "VISIT_DIRECTION_ZH", "direction_label", "file_format", "label"]

FORMAT_ZH = {  # importer ids (weiquan.ingest) as a borrower would name the file
    "synctech_sms": "短信备份（SMS Backup & Restore）", "synctech_calls": "通话记录备份（SMS Backup & Restore）",
    "adb_sms": "短信（安卓导出）", "adb_calls": "通话记录（安卓导出）", "android_sms_db": "安卓/华为短信数据库",
    "android_calllog_db": "安卓/华为通话记录数据库", "ios_sms_db": "iPhone 短信数据库",
    "ios_call_history": "iPhone 通话记录数据库", "oppo_vmsg": "短信备份（vmsg）", "oppo_calllog": "通话记录备份（OPPO）",
    "table": "表格（CSV/Excel）", "manual_json": "手动记录（JSON）", "image": "截图/照片", "screenshot": "截图",
    "call_recording": "通话录音", "recording": "录音", "zip": "压缩包",
}
PARSE_STATUS_ZH = IMPORT_STATUS_ZH
JOB_STATUS_ZH = {"pending": "排队中", "running": "识别中", "done": "已完成", "failed": "失败", "paused": "已暂停"}
DOC_ZH = {
    "lender": "给借款平台的投诉函", "regulator": "给金融监管部门的投诉", "12321": "12321 举报", "police": "报警材料",
    "lawsuit": "起诉状", "injunction": "人格权侵害禁令申请", "catalogue": "证据目录", "contacts": "联系人告知书",
}


def file_format(fmt: str | None, media_type: str | None = None) -> str:
    """A file's format in words; unknown ids fall back to a generic description, never the raw id."""
    if fmt:
        return FORMAT_ZH.get(fmt, "其他格式")
    if media_type:
        major = media_type.split("/", 1)[0]
        return {"image": "图片", "audio": "录音", "video": "视频", "text": "文本"}.get(major, "其他文件")
    return ""
