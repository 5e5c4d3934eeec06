"""Per-case handles for evidence in URLs and API answers.

The vault stores each distinct file once: the same bytes uploaded into two cases are one evidence row
with one id. Shown as is, that id would tell the second uploader that the bytes were there before (an
id older than the ones just given to their own files). The web interface and the API therefore never
show an evidence id. They show a *handle*: a keyed permutation of the id for this case — the same
handle for the same file within a case, unrelated handles for the same file in two cases, no order by
age. A route turns a handle back into the id and checks, as before, that the file belongs to the case.

The permutation is a four-round Feistel network over 52 bits (a handle stays exact as a JavaScript
number), each round an HMAC-SHA256 keyed by the server's secret and the case id.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from starlette.requests import Request

from weiquan.errors import NotFoundError

HALF_BITS = 26
MASK = (1 << HALF_BITS) - 1
LIMIT = 1 << (2 * HALF_BITS)  # ids and handles are below 2^52
MAX_ID = 2**31 - 1  # evidence ids are 32-bit integers in the store: a handle decoding above is no handle
ROUNDS = 4


class EvidenceHandles:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode("utf-8")

    @lru_cache(maxsize=4096)  # noqa: B019 - one instance per app, lives as long as the app; bounded
    def _key(self, case_id: int) -> bytes:
        return hmac.new(self._secret, f"evidence-handle:{case_id}".encode(), hashlib.sha256).digest()

    def _round(self, key: bytes, i: int, half: int) -> int:
        digest = hmac.new(key, bytes([i]) + half.to_bytes(4, "big"), hashlib.sha256).digest()
        return int.from_bytes(digest[:4], "big") & MASK

    def handle(self, case_id: int, evidence_id: int) -> int:
        """The handle case ``case_id`` shows for evidence ``evidence_id``."""
        if not 0 <= evidence_id < LIMIT:
            raise ValueError(f"evidence id out of range: {evidence_id}")
        key = self._key(case_id)
        left, right = evidence_id >> HALF_BITS, evidence_id & MASK
        for i in range(ROUNDS):
            left, right = right, left ^ self._round(key, i, right)
        return (left << HALF_BITS) | right

    def evidence_id(self, case_id: int, handle: int) -> int:
        """The evidence id behind a handle of case ``case_id`` (NotFoundError for a number no handle can be)."""
        if not 0 <= handle < LIMIT:
            raise NotFoundError("找不到这个原件", f"no such evidence handle in case {case_id}")
        key = self._key(case_id)
        left, right = handle >> HALF_BITS, handle & MASK
        for i in reversed(range(ROUNDS)):
            left, right = right ^ self._round(key, i, left), left
        evidence_id = (left << HALF_BITS) | right
        if evidence_id > MAX_ID:
            raise NotFoundError("找不到这个原件", f"no such evidence handle in case {case_id}")
        return evidence_id


def handles(request: Request) -> EvidenceHandles:
    h: EvidenceHandles = request.app.state.handles
    return h


def shown(request: Request, case_id: int, evidence_id: int) -> int:
    """What the pages and the API show for evidence ``evidence_id`` of case ``case_id``."""
    return handles(request).handle(case_id, evidence_id)


def evidence_of(request: Request, case_id: int, handle: int) -> int:
    """The evidence id behind a handle in a URL (the service then checks that it belongs to the case)."""
    return handles(request).evidence_id(case_id, handle)
