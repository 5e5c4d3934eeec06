"""Plain-Chinese labels for ids shown in the UI (channels, directions, states).

Violation category names and severities come from the law pack (``law/``), not from here.
"""

from __future__ import annotations

CHANNEL_ZH = {"call": "电话", "sms": "短信", "mms": "彩信", "chat": "聊天", "visit": "上门", "letter": "信件", "other": "其他"}
DIRECTION_ZH = {  # calls; messages use MESSAGE_DIRECTION_ZH (收到/发出, not the call words 打进来/打出去)
    "incoming": "打进来", "outgoing": "打出去", "missed": "未接", "rejected": "已拒接", "blocked": "已拦截",
    "voicemail": "语音信箱", "answered_elsewhere": "其他设备接听", "draft": "草稿", "failed": "发送失败", "unknown": "",
}
MESSAGE_DIRECTION_ZH = {"incoming": "收到", "outgoing": "发出", "blocked": "已拦截", "draft": "草稿", "failed": "发送失败",
                        "unknown": ""}
VISIT_DIRECTION_ZH = {"incoming": "找上门", "outgoing": "", "unknown": ""}
FORMAT_ZH = {  # importer ids (weiquan.ingest) as a borrower would name the file
    "synctech_sms": "短信备份（SMS Backup & Restore）", "synctech_calls": "通话记录备份（SMS Backup & Restore）",
    "adb_sms": "短信（安卓导出）", "adb_calls": "通话记录（安卓导出）", "android_sms_db": "安卓/华为短信数据库",
    "android_calllog_db": "安卓/华为通话记录数据库", "ios_sms_db": "iPhone 短信数据库",
    "ios_call_history": "iPhone 通话记录数据库", "oppo_vmsg": "短信备份（vmsg）", "oppo_calllog": "通话记录备份（OPPO）",
    "table": "表格（CSV/Excel）", "manual_json": "手动记录（JSON）", "image": "截图/照片", "screenshot": "截图",
    "call_recording": "通话录音", "recording": "录音", "zip": "压缩包",
}
RECIPIENT_ZH = {"borrower": "本人", "relative": "亲属", "colleague": "同事", "friend": "朋友", "employer": "单位", "other": "其他人"}
ORIGIN_ZH = {"export": "手机导出", "screenshot": "截图识别", "recording": "录音", "manual": "手动记录", "transcript": "录音转写"}
REVIEW_ZH = {"auto": "待审核", "confirmed": "已确认", "rejected": "已驳回"}
SEVERITY_ZH = {"critical": "非常严重", "high": "严重", "medium": "较重", "low": "轻微", "info": "提示"}
ACTION_STATUS_ZH = {"draft": "未发送", "sent": "已发送", "replied": "已答复", "overdue": "已超期", "escalated": "已升级",
                    "closed": "已结束"}
LICENCE_ZH = {"bank": "银行", "consumer_finance": "消费金融公司", "small_loan": "小额贷款公司",
              "unlicensed": "无放贷资质", "private": "个人/民间借贷"}
PARSE_STATUS_ZH = {"pending": "处理中", "parsed": "已读取", "unparsed": "无法读取（已保存原件）", "queued": "等待识别"}
JOB_STATUS_ZH = {"pending": "排队中", "running": "识别中", "done": "已完成", "failed": "失败", "paused": "已暂停"}
DOC_ZH = {
    "lender": "给借款平台的投诉函", "regulator": "给金融监管部门的投诉", "12321": "12321 举报", "police": "报警材料",
    "lawsuit": "起诉状", "injunction": "人格权侵害禁令申请", "catalogue": "证据目录", "contacts": "联系人告知书",
}


def direction_label(channel: str | None, direction: str | None) -> str:
    """How the contact went, in the words for its channel: 收到/发出 a message, 打进来/打出去 a call."""
    if direction is None:
        return ""
    if channel in ("sms", "mms", "chat", "letter"):
        return MESSAGE_DIRECTION_ZH.get(direction, DIRECTION_ZH.get(direction, ""))
    if channel == "visit":
        return VISIT_DIRECTION_ZH.get(direction, "")
    return DIRECTION_ZH.get(direction, "")


def file_format(fmt: str | None, media_type: str | None = None) -> str:
    """A file's format in words; unknown ids fall back to a generic description, never the raw id."""
    if fmt:
        return FORMAT_ZH.get(fmt, "其他格式")
    if media_type:
        major = media_type.split("/", 1)[0]
        return {"image": "图片", "audio": "录音", "video": "视频", "text": "文本"}.get(major, "其他文件")
    return ""


def label(table: dict[str, str], key: str | None) -> str:
    if key is None:
        return ""
    return table.get(key, key)
