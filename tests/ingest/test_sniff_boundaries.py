"""Issue 19 item 1: text is recognised wherever the sniffing sample ends inside a multi-byte character."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import ingest_formats as fx
from weiquan.ingest.tabular import sniff_encoding
from weiquan.services import imports
from weiquan.services.imports import check_type
from weiquan.testing import phone_exports as w
from weiquan.vault.sniff import sniff_bytes
from weiquan.workspace import Workspace

# Chinese text as exports carry it: CJK ideographs, full-width punctuation, digits, ASCII and the odd emoji.
_CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(list("，。！？：；“”‘’【】（）《》、·…￥")),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from(["\n", "\r", "\t", "😀", "𠀋"]),
)
chinese = st.text(alphabet=_CHARS, min_size=1, max_size=300).filter(
    lambda s: not s.lstrip(" \t\r\n").startswith(("<", "BEGIN:"))
)


def _pending_prefix(sample: bytes, encoding: str, text: str) -> bool:
    got = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
    return text.startswith(got)


@settings(max_examples=200, deadline=None)
@given(text=chinese)
def test_utf8_text_is_text_at_every_sample_boundary(text: str) -> None:
    data = ("\ufeff" + text).encode("utf-8")
    for n in range(1, len(data) + 1):
        sample = data[:n]
        assert sniff_bytes(sample) == "text/plain", (n, sample[-6:])
        assert sniff_encoding(sample) == "utf-8-sig"


@settings(max_examples=200, deadline=None)
@given(text=chinese)
def test_gb18030_text_is_text_at_every_sample_boundary(text: str) -> None:
    data = text.encode("gb18030")
    for n in range(1, len(data) + 1):
        sample = data[:n]
        media = sniff_bytes(sample)
        assert media.startswith("text/plain"), (n, sample[-6:])
        enc = sniff_encoding(sample)
        # whichever encoding is picked, it reads the sample as a prefix of the real text
        # (a pure-ASCII or UTF-8-looking prefix may be called UTF-8: the tabular reader then decides on 64 KiB)
        if enc == "gb18030":
            assert _pending_prefix(sample, "gb18030", text)


@pytest.mark.parametrize("cut", [0, 1, 2])
def test_chinese_csv_cut_at_the_probe_inside_a_character(ws: Workspace, case_id: int, files: Path, cut: int) -> None:
    """A realistic phone-manager CSV whose 4096-byte sample ends 0, 1 or 2 bytes into a 3-byte character."""
    t0 = dt.datetime(2024, 3, 4, 9, 30, tzinfo=w.SHANGHAI)
    msgs = [
        w.Msg(fx.COLLECTOR, t0 + dt.timedelta(minutes=i), "今天不还款就联系你的家人和单位，" * 3) for i in range(60)
    ]
    path = files / "短信导出.csv"
    base = w.csv_file(path, w.table_rows(msgs)).read_bytes()
    # pad the header row's last cell with ASCII so byte 4096 falls at the wanted offset inside a Chinese char
    for pad in range(30):
        data = base.replace("内容".encode(), ("内容" + "x" * pad).encode(), 1)
        if data[4096 - cut] >= 0xE0:
            break
    else:
        pytest.fail("no padding puts a character at the boundary")
    path.write_bytes(data)
    assert data[4096 - cut] >= 0xE0  # the lead byte of a 3-byte character sits `cut` bytes before the boundary
    assert check_type(path) == "text/plain"
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "parsed" and r.added == 60, r
