"""Issue 19 item 5: verifying a forged package reads bounded amounts (a 1.5 MB zip grew the server by 3.1 GB)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from weiquan.report import verify

# The child's own peak RSS: VmHWM of /proc/self/status starts afresh at exec, whereas ru_maxrss keeps the forking
# parent's peak across fork+exec on Linux (a pytest process that loaded the text detector made this test fail).
MEASURE = """
import json, re, resource, sys
from weiquan.report.verify import verify_package
r = verify_package(sys.argv[1])
try:
    with open("/proc/self/status") as f:
        rss = int(re.search(r"VmHWM:\\s+(\\d+)", f.read()).group(1)) / 1024
except OSError:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rss_mb": rss, "problems": r["problems"], "ok": r["ok"]}))
"""


def _forged(path: Path, member: str, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("pkg/MERKLE_ROOT.txt", "0" * 64)
        with zf.open(f"pkg/{member}", "w", force_zip64=True) as f:
            if member == verify.MANIFEST:
                f.write(b'{"format": "' + verify.FORMAT.encode() + b'", "files": [')
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                f.write(block)
        if member != verify.MANIFEST:
            zf.writestr(
                "pkg/manifest.json",
                json.dumps(
                    {
                        "format": verify.FORMAT,
                        "files": [{"path": verify.LEDGER, "sha256": "0" * 64, "size": 1, "role": "ledger"}],
                    }
                ),
            )
    return path


def _run(pkg: Path) -> dict:  # type: ignore[type-arg]  # untyped pytest fixtures or test doubles
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(pkg)], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]  # json.loads is untyped


def test_huge_manifest_is_refused_without_reading_it(tmp_path: Path) -> None:
    pkg = _forged(tmp_path / "forged.zip", verify.MANIFEST, 600 << 20)
    assert pkg.stat().st_size < 3 << 20
    r = _run(pkg)
    assert r["ok"] is False and r["problems"][0]["kind"] == "unreadable", r
    assert r["rss_mb"] < 400, r


def test_huge_ledger_line_is_streamed(tmp_path: Path) -> None:
    pkg = _forged(tmp_path / "forged.zip", verify.LEDGER, 600 << 20)
    r = _run(pkg)
    assert r["ok"] is False and any("过长" in p["zh"] for p in r["problems"]), r
    assert r["rss_mb"] < 400, r
