"""The one vocabulary: every id the product stores (channels, directions, recipients, licence types, severities,
action statuses, origins) and the ONE Chinese label each is shown with — in the web pages, the CLI, the report and
the documents alike.

A leaf module: it imports nothing from weiquan, so every layer may use it. Where two front ends used different
words for one id, the word chosen here is the one that is right in a legal document and plain to a borrower:

- action status ``sent`` is 已提交 (the borrower submits a complaint; the tool never sends anything), ``draft``
  未提交, ``overdue`` 已超期 (the body's answer is overdue; 逾期 is the word for an overdue loan);
- severity ``low`` is 一般 (a low-severity category is still a violation; 轻微 played it down);
- severities are ranked one way only: ``severity_rank`` gives 0 for the most severe;
- a call is 来电 / 去电 / 未接来电 / 拒接 / 已拦截 in the UI and in the documents; a message is 收到 / 发出.
"""

from __future__ import annotations

# --- channels (Event.channel) ---------------------------------------------------------------------------------
CHANNELS: tuple[str, ...] = ("call", "sms", "mms", "chat", "visit", "letter", "other")
CHANNEL_ZH: dict[str, str] = {
    "call": "电话",
    "sms": "短信",
    "mms": "彩信",
    "chat": "聊天消息",
    "visit": "上门",
    "letter": "信函",
    "other": "其他方式",
}

# --- directions (Event.direction) -------------------------------------------------------------------------------
DIRECTIONS: tuple[str, ...] = (
    "incoming",
    "outgoing",
    "missed",
    "rejected",
    "blocked",
    "voicemail",
    "answered_elsewhere",
    "draft",
    "failed",
    "unknown",
)
# How a call went; "in"/"out" are older spellings some records still carry.
DIRECTION_ZH: dict[str, str] = {
    "incoming": "来电",
    "in": "来电",
    "outgoing": "去电",
    "out": "去电",
    "missed": "未接来电",
    "rejected": "拒接",
    "blocked": "已拦截",
    "voicemail": "来电（语音信箱留言）",
    "answered_elsewhere": "来电（在其他设备接听）",
    "draft": "草稿",
    "failed": "发送失败",
    "unknown": "",
}
# How a message (SMS, MMS, chat, letter) went: received or sent, not the call words.
MESSAGE_DIRECTION_ZH: dict[str, str] = {
    "incoming": "收到",
    "outgoing": "发出",
    "blocked": "已拦截",
    "draft": "草稿",
    "failed": "发送失败",
    "unknown": "",
}
VISIT_DIRECTION_ZH: dict[str, str] = {"incoming": "找上门", "outgoing": "", "unknown": ""}
MESSAGE_CHANNELS = frozenset({"sms", "mms", "chat", "letter"})

# --- who was contacted (Event.recipient) --------------------------------------------------------------------------
RECIPIENTS: tuple[str, ...] = ("borrower", "relative", "colleague", "friend", "employer", "other")
RECIPIENT_ZH: dict[str, str] = {
    "borrower": "本人",
    "relative": "亲属",
    "colleague": "同事",
    "friend": "朋友",
    "employer": "工作单位",
    "other": "其他联系人",
}

# --- lender licence types (law pack, Case.licence_type, loans) ----------------------------------------------------
LICENCE_TYPES: tuple[str, ...] = ("bank", "consumer_finance", "small_loan", "unlicensed", "private")
LICENCE_ZH: dict[str, str] = {
    "bank": "银行",
    "consumer_finance": "持牌消费金融公司",
    "small_loan": "小额贷款公司（含网络小贷）",
    "unlicensed": "无放贷资质的机构或个人",
    "private": "民间借贷（个人或非金融企业）",
}
LICENCE_UNKNOWN_ZH = "牌照类型未确定"

# --- severities (law pack violations, Finding.severity) -----------------------------------------------------------
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")  # most severe first
SEVERITY_ZH: dict[str, str] = {"high": "严重", "medium": "较重", "low": "一般"}

# --- review states (Finding.review_state) -------------------------------------------------------------------------
REVIEW_STATES: tuple[str, ...] = ("auto", "confirmed", "rejected")
REVIEW_ZH: dict[str, str] = {"auto": "待审核", "confirmed": "已确认", "rejected": "已驳回"}
# The printed report says what an unreviewed finding is, for a reader who never saw the app.
REVIEW_REPORT_ZH: dict[str, str] = {"auto": "自动识别，待人工核实", "confirmed": "已人工确认", "rejected": "已驳回"}

# --- actions (Action.status) ---------------------------------------------------------------------------------------
ACTION_STATUSES: tuple[str, ...] = ("draft", "sent", "replied", "overdue", "escalated", "closed")
ACTION_STATUS_ZH: dict[str, str] = {
    "draft": "未提交",
    "sent": "已提交",
    "replied": "已答复",
    "overdue": "已超期",
    "escalated": "已升级",
    "closed": "已结束",
}

# --- what became of an imported file (ImportResult.status, Evidence.parse_status) ---------------------------------
IMPORT_STATUS_ZH: dict[str, str] = {
    "pending": "处理中",
    "parsed": "已读取",
    "partial": "部分读取",
    "queued": "等待识别",
    "unparsed": "无法读取（已保存原件）",
    "already_imported": "已导入过",
    "expanded": "已展开",
    "refused": "已拒绝",
}

# --- where an event's record came from (Event.origin) -------------------------------------------------------------
ORIGIN_ZH: dict[str, str] = {
    "export": "手机导出",
    "screenshot": "截图识别",
    "recording": "录音",
    "manual": "手动记录",
    "transcript": "录音转写",
}
# How the documents (证据目录, 12321 report) state a listed record's source, with what the reader must know.
ORIGIN_SOURCE_ZH: dict[str, str] = {
    "export": "手机导出的原始记录",
    "screenshot": "截图（文字经OCR识别，以截图原件为准）",
    "recording": "通话录音（文字为语音转写，以录音为准）",
    "transcript": "通话录音（文字为语音转写，以录音为准）",
    "manual": "本人陈述（手动录入）",
}
# Where the text of an event came from when it is not the phone's own record (documents mark such quotes).
TEXT_SOURCE_ZH: dict[str, str] = {"transcript": "录音转写", "ocr": "截图识别", "manual": "本人陈述"}


def severity_rank(severity: str | None) -> int:
    """0 for the most severe; unknown severities after all known ones."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def label(table: dict[str, str], key: str | None) -> str:
    """The label of ``key`` in ``table``; the id itself when the table does not know it; "" for None."""
    if key is None:
        return ""
    return table.get(key, key)


def direction_label(channel: str | None, direction: str | None) -> str:
    """How the contact went, in the words for its channel: 收到/发出 a message, 来电/去电 a call, 找上门 a visit."""
    if direction is None:
        return ""
    if channel in MESSAGE_CHANNELS:
        return MESSAGE_DIRECTION_ZH.get(direction, DIRECTION_ZH.get(direction, ""))
    if channel == "visit":
        return VISIT_DIRECTION_ZH.get(direction, "")
    return DIRECTION_ZH.get(direction, "")
