"""Capture time of a screenshot: file name, EXIF, else the import time (flagged)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from weiquan.extract.anchor import capture_time, from_exif, from_file_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Screenshot_20261030-214733.png", dt.datetime(2026, 10, 30, 21, 47, 33)),
        ("Screenshot_2023-10-30-15-25-43-123_com.android.mms.jpg", dt.datetime(2023, 10, 30, 15, 25, 43)),  # MIUI
        ("Screenshot_20231030_152543_com.tencent.mm.jpg", dt.datetime(2023, 10, 30, 15, 25, 43)),  # Huawei
        ("微信图片_20231030152543.jpg", dt.datetime(2023, 10, 30, 15, 25, 43)),
        ("IMG_20231030_152543.jpg", dt.datetime(2023, 10, 30, 15, 25, 43)),
        ("IMG_1234.PNG", None),
        ("mmexport1698650743123.jpg", None),  # epoch milliseconds are not a wall-clock stamp
        ("Screenshot_20231399-256199.png", None),  # impossible date
    ],
)
def test_file_names(name: str, expected: dt.datetime | None) -> None:
    assert from_file_name(name) == expected


def test_exif_and_fallback(tmp_path: Path) -> None:
    p = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x0132] = "2025:06:05 10:12:00"
    Image.new("RGB", (20, 20), "white").save(p, "JPEG", exif=exif)
    assert from_exif(p) == dt.datetime(2025, 6, 5, 10, 12)
    imported = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.timezone.utc)
    cap = capture_time(["photo.jpg"], p, imported, "Asia/Shanghai")
    assert (cap.local, cap.basis, cap.flagged) == (dt.datetime(2025, 6, 5, 10, 12), "exif", False)
    plain = tmp_path / "plain.png"
    Image.new("RGB", (20, 20), "white").save(plain)
    cap = capture_time(["plain.png"], plain, imported, "Asia/Shanghai")
    assert (cap.local, cap.basis, cap.flagged) == (dt.datetime(2026, 11, 28, 12, 0), "import_time", True)


def test_unreadable_file_has_no_exif(tmp_path: Path) -> None:
    p = tmp_path / "broken.jpg"
    p.write_bytes(b"\xff\xd8\xff not really a jpeg")
    assert from_exif(p) is None
