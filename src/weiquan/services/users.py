"""Accounts, roles, case sharing and the audit log (web server mode).

Roles: ``borrower`` sees the cases it owns; ``advocate`` sees the cases it owns
and the cases shared with it (``CaseAccess``); ``admin`` sees every case. In
local mode (no accounts) the single user is a :class:`Principal` with
``local=True`` and sees everything.

Passwords are hashed with argon2id (argon2-cffi defaults). The audit log records
who saw or changed what — action, case, a short target such as ``finding:12`` and
the client address — and never message bodies or ID numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from weiquan.errors import InputError, NotFoundError
from weiquan.services.audit_buffer import AuditBuffer
from weiquan.services.audit_buffer import Entry as AuditEntry
from weiquan.services.audit_buffer import flush_all as flush_audit
from weiquan.store.models import AuditLog, Case, CaseAccess, User
from weiquan.workspace import Workspace

ROLES = ("borrower", "advocate", "admin")
ROLE_NAMES_ZH = {"borrower": "借款人", "advocate": "援助人员", "admin": "管理员"}
MIN_PASSWORD_LEN = 10
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{2,100}$")
_hasher = PasswordHasher()
# A valid hash of a random password: verifying against it makes a login for an
# unknown user cost as much as one for a known user (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("weiquan-dummy-password-for-timing")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    role: str
    display_name: str | None = None
    disabled: bool = False
    created_at: dt.datetime


@dataclass(frozen=True)
class Principal:
    """Who is making a request."""

    user_id: int | None
    username: str
    role: str
    local: bool = False

    @property
    def sees_all(self) -> bool:
        return self.local or self.role == "admin"

    @property
    def label(self) -> str:
        return "本机用户" if self.local else self.username


LOCAL_PRINCIPAL = Principal(user_id=None, username="local", role="admin", local=True)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(
            f"未知角色：{role}（可选：{'、'.join(ROLES)}）", f"unknown role {role!r} (one of {', '.join(ROLES)})"
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LEN:
        raise InputError(
            f"密码至少需要 {MIN_PASSWORD_LEN} 个字符", f"password must have at least {MIN_PASSWORD_LEN} characters"
        )


def create_user(
    ws: Workspace, username: str, password: str, *, role: str = "borrower", display_name: str | None = None
) -> UserOut:
    username = username.strip()
    if not _USERNAME_RE.match(username):
        raise InputError(
            "用户名只能包含字母、数字、汉字和 _ . @ -，长度 2–100",
            "username may contain letters, digits, CJK characters and _ . @ - (2-100 characters)",
        )
    _check_role(role)
    _check_password(password)
    with ws.db.session() as s:
        if s.execute(select(User.id).where(User.username == username)).first() is not None:
            raise InputError(f"用户名已存在：{username}", f"username already exists: {username}")
        u = User(username=username, password_hash=_hasher.hash(password), role=role, display_name=display_name)
        s.add(u)
        s.flush()
        return UserOut.model_validate(u)


def list_users(ws: Workspace) -> list[UserOut]:
    with ws.db.read_session() as s:
        return [UserOut.model_validate(u) for u in s.execute(select(User).order_by(User.id)).scalars()]


def get_user(ws: Workspace, user_id: int) -> UserOut:
    with ws.db.read_session() as s:
        u = s.get(User, user_id)
        if u is None:
            raise NotFoundError(f"用户 {user_id} 不存在", f"user {user_id} does not exist")
        return UserOut.model_validate(u)


def set_password(ws: Workspace, username: str, password: str) -> None:
    """Change a password; every session of the account ends."""
    _check_password(password)
    with ws.db.session() as s:
        u = _user_by_name(s, username)
        u.password_hash = _hasher.hash(password)
        _end_sessions(s, u.id, "password_changed")


def set_disabled(ws: Workspace, username: str, disabled: bool) -> UserOut:
    """Disable (every session ends) or enable an account; enabling does not bring old sessions back."""
    with ws.db.session() as s:
        u = _user_by_name(s, username)
        u.disabled = disabled
        if disabled:
            _end_sessions(s, u.id, "disabled")
        s.flush()
        return UserOut.model_validate(u)


# -- sessions -------------------------------------------------------------------
# A session (a signed cookie) carries its user id and the time it was issued. Logging out, changing the
# password and disabling the account append a ``sessions_ended`` entry to the audit log; a session issued
# before the account's latest such entry is over, on every device at once, and stays over.

SESSIONS_ENDED = "sessions_ended"


def end_sessions(ws: Workspace, user_id: int, reason: str) -> None:
    """End every session of the account (logout ends them all, not only this browser's)."""
    with ws.db.session() as s:
        _end_sessions(s, user_id, reason)


def _end_sessions(s: Session, user_id: int, reason: str) -> None:
    s.add(AuditLog(user_id=user_id, action=SESSIONS_ENDED, target=reason[:200]))


def session_issued_at() -> float:
    return dt.datetime.now(dt.timezone.utc).timestamp()


def _sessions_ended_at(s: Session, user_id: int) -> dt.datetime | None:
    return s.execute(
        select(func.max(AuditLog.ts)).where(AuditLog.user_id == user_id, AuditLog.action == SESSIONS_ENDED)
    ).scalar_one_or_none()


def account_id(ws: Workspace, username: str) -> int | None:
    """The id of the account named ``username`` (None when there is no such account)."""
    with ws.db.read_session() as s:
        return s.execute(select(User.id).where(User.username == username.strip())).scalar_one_or_none()


def _user_by_name(s: Session, username: str) -> User:
    u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if u is None:
        raise NotFoundError(f"用户不存在：{username}", f"no such user: {username}")
    return u


def authenticate(ws: Workspace, username: str, password: str) -> Principal | None:
    """The principal for a correct username + password of an enabled account, else None."""
    with ws.db.read_session() as s:
        u = s.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
        stored = u.password_hash if u is not None else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if u is None or u.disabled:
            return None
        principal = Principal(user_id=u.id, username=u.username, role=u.role)
        needs_rehash = _hasher.check_needs_rehash(u.password_hash)
    if needs_rehash:
        with ws.db.session() as s:
            row = s.get(User, principal.user_id)
            if row is not None:
                row.password_hash = _hasher.hash(password)
    return principal


def principal_for(ws: Workspace, user_id: int, issued_at: float | None = None) -> Principal | None:
    """The principal of a session's user id; None when the account is gone or disabled, or when the
    session was issued (``issued_at``, POSIX seconds) before its sessions were last ended."""
    with ws.db.read_session() as s:
        u = s.get(User, user_id)
        if u is None or u.disabled:
            return None
        ended = _sessions_ended_at(s, u.id)
        if ended is not None:
            if ended.tzinfo is None:
                ended = ended.replace(tzinfo=dt.timezone.utc)
            if issued_at is None or issued_at <= ended.timestamp():
                return None
        return Principal(user_id=u.id, username=u.username, role=u.role)


# -- case access ----------------------------------------------------------------


def accessible_case_ids(ws: Workspace, who: Principal) -> set[int] | None:
    """The ids of the cases ``who`` may see; None means all cases."""
    if who.sees_all:
        return None
    with ws.db.read_session() as s:
        q = select(Case.id).where(
            or_(
                Case.owner_id == who.user_id,
                Case.id.in_(select(CaseAccess.case_id).where(CaseAccess.user_id == who.user_id)),
            )
        )
        return {cid for (cid,) in s.execute(q)}


def can_access(ws: Workspace, who: Principal, case_id: int) -> bool:
    if who.sees_all:
        with ws.db.read_session() as s:
            return s.get(Case, case_id) is not None
    with ws.db.read_session() as s:
        case = s.get(Case, case_id)
        if case is None:
            return False
        if case.owner_id == who.user_id:
            return True
        return s.get(CaseAccess, (case_id, who.user_id)) is not None


def require_case(ws: Workspace, who: Principal, case_id: int) -> None:
    """Raise NotFoundError when the case does not exist or ``who`` may not see it (same answer: no leak)."""
    if not can_access(ws, who, case_id):
        raise NotFoundError(
            f"案件 {case_id} 不存在或无权查看", f"case {case_id} does not exist or is not visible to you"
        )


def can_manage_sharing(ws: Workspace, who: Principal, case_id: int) -> bool:
    if who.sees_all:
        return True
    with ws.db.read_session() as s:
        case = s.get(Case, case_id)
        return case is not None and case.owner_id == who.user_id


def share_case(ws: Workspace, who: Principal, case_id: int, username: str) -> None:
    """Share a case with an advocate. Only the owner or an admin may share."""
    require_case(ws, who, case_id)
    if not can_manage_sharing(ws, who, case_id):
        raise InputError("只有案件所有人或管理员可以共享案件", "only the case owner or an admin can share a case")
    with ws.db.session() as s:
        u = _user_by_name(s, username)
        if u.role != "advocate":
            raise InputError("只能共享给援助人员（advocate）账号", "a case can only be shared with an advocate account")
        if s.get(CaseAccess, (case_id, u.id)) is None:
            s.add(CaseAccess(case_id=case_id, user_id=u.id, role="advocate"))


def unshare_case(ws: Workspace, who: Principal, case_id: int, username: str) -> None:
    require_case(ws, who, case_id)
    if not can_manage_sharing(ws, who, case_id):
        raise InputError(
            "只有案件所有人或管理员可以取消共享", "only the case owner or an admin can stop sharing a case"
        )
    with ws.db.session() as s:
        u = _user_by_name(s, username)
        row = s.get(CaseAccess, (case_id, u.id))
        if row is not None:
            s.delete(row)


def case_shares(ws: Workspace, case_id: int) -> list[UserOut]:
    with ws.db.read_session() as s:
        q = (
            select(User)
            .join(CaseAccess, CaseAccess.user_id == User.id)
            .where(CaseAccess.case_id == case_id)
            .order_by(User.username)
        )
        return [UserOut.model_validate(u) for u in s.execute(q).scalars()]


# -- audit ----------------------------------------------------------------------


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ts: dt.datetime
    user_id: int | None
    action: str
    case_id: int | None
    target: str | None
    ip: str | None


def audit(
    ws: Workspace,
    who: Principal,
    action: str,
    *,
    case_id: int | None = None,
    target: str | None = None,
    ip: str | None = None,
    buffer: AuditBuffer | None = None,
) -> None:
    """Record who saw or changed what. ``target`` is an identifier (``finding:12``), never content.
    With ``buffer`` the entry is written behind the request (see ``services.audit_buffer``)."""
    entry = AuditEntry(
        who.user_id,
        action[:40],
        case_id,
        (target or None) and target[:200],
        (ip or None) and ip[:64],
        dt.datetime.now(dt.timezone.utc),
    )
    if buffer is not None:
        buffer.add(entry)
        return
    with ws.db.session() as s:
        s.add(
            AuditLog(
                user_id=entry.user_id,
                action=entry.action,
                case_id=entry.case_id,
                target=entry.target,
                ip=entry.ip,
                ts=entry.ts,
            )
        )


def list_audit(
    ws: Workspace, *, case_id: int | None = None, user_id: int | None = None, limit: int = 200
) -> list[AuditOut]:
    flush_audit(ws)
    with ws.db.read_session() as s:
        q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
        if case_id is not None:
            q = q.where(AuditLog.case_id == case_id)
        if user_id is not None:
            q = q.where(AuditLog.user_id == user_id)
        return [AuditOut.model_validate(a) for a in s.execute(q).scalars()]
