"""Plain-Chinese labels for ids shown in the UI (channels, directions, states).

Violation category names and severities come from the law pack (``law/``), not from here.
"""

from __future__ import annotations

CHANNEL_ZH = {"call": "电话", "sms": "短信", "mms": "彩信", "chat": "聊天", "visit": "上门", "letter": "信件", "other": "其他"}
DIRECTION_ZH = {
    "incoming": "打进来", "outgoing": "打出去", "missed": "未接", "rejected": "已拒接", "blocked": "已拦截",
    "voicemail": "语音信箱", "answered_elsewhere": "其他设备接听", "draft": "草稿", "failed": "发送失败", "unknown": "未知",
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
JOB_STATUS_ZH = {"pending": "排队中", "running": "识别中", "done": "已完成", "failed": "失败"}
DOC_ZH = {
    "lender": "给借款平台的投诉函", "regulator": "给金融监管部门的投诉", "12321": "12321 举报", "police": "报警材料",
    "lawsuit": "起诉状", "injunction": "人格权侵害禁令申请", "catalogue": "证据目录", "contacts": "联系人告知书",
}


def label(table: dict[str, str], key: str | None) -> str:
    if key is None:
        return ""
    return table.get(key, key)
