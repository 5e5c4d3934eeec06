"""Benchmark: ingest ~2 GB of files of mixed sizes into the vault; compare with sha256sum.

    python bench/vault_ingest.py [--quick] [--size-mb N]

Prints MB/s of `vault.add` and of `sha256sum` over the same files in the same run, and their ratio
(goal: vault ≥ 50% of sha256sum throughput). Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import finish, peak_rss_mb, timed  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

from weiquan.config import load_settings  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.workspace import Workspace  # noqa: E402 - after the sys.path line that makes the sibling helpers importable


def make_files(root: Path, total_mb: int, seed: int = 7) -> list[Path]:
    """Mixed sizes like a phone dump: many small screenshots/XML, some recordings, a few large backups."""
    rng = random.Random(seed)
    budget = total_mb << 20
    plan: list[int] = []
    shares = [(0.15, 4 << 10, 512 << 10), (0.25, 1 << 20, 16 << 20), (0.60, 64 << 20, 256 << 20)]
    for share, lo, hi in shares:
        part = int(budget * share)
        while part > lo:
            n = min(rng.randint(lo, hi), part)
            plan.append(n)
            part -= n
    rng.shuffle(plan)
    block = os.urandom(1 << 20)
    files = []
    for i, size in enumerate(plan):
        p = root / f"file_{i:05d}.bin"
        with open(p, "wb") as f:
            f.write(i.to_bytes(8, "little"))  # unique content per file
            left = size - 8
            while left > 0:
                n = min(left, len(block))
                f.write(block[:n])
                left -= n
        files.append(p)
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="200 MB instead of 2 GB")
    ap.add_argument("--size-mb", type=int, default=None)
    args = ap.parse_args()
    total_mb = args.size_mb or (200 if args.quick else 2048)
    work = Path(tempfile.mkdtemp(prefix="wq-bench-vault-"))
    try:
        src = work / "src"
        src.mkdir()
        files = make_files(src, total_mb)
        nbytes = sum(p.stat().st_size for p in files)
        mb = nbytes / 1e6
        # warm the page cache equally for both contenders
        _, t_sha = timed(lambda: subprocess.run(["sha256sum", *map(str, files)], check=True, stdout=subprocess.DEVNULL))
        _, t_sha = timed(lambda: subprocess.run(["sha256sum", *map(str, files)], check=True, stdout=subprocess.DEVNULL))
        ws = Workspace(load_settings(work / "home"))

        def ingest() -> None:
            for p in files:
                ws.vault.add(p)

        _, t_vault = timed(ingest)
        ok = ws.vault.verify().ok
        ws.close()
        figures = {
            "files": len(files),
            "total_mb": round(mb, 1),
            "vault_mb_s": round(mb / t_vault, 1),
            "sha256sum_mb_s": round(mb / t_sha, 1),
            "ratio_to_sha256sum": round(t_sha / t_vault, 3),
            "vault_seconds": round(t_vault, 2),
            "sha256sum_seconds": round(t_sha, 2),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "verify_ok": ok,
        }
        print(f"{len(files)} files, {mb:.0f} MB")
        print(f"vault.add:  {figures['vault_mb_s']} MB/s ({t_vault:.2f} s)")
        print(f"sha256sum:  {figures['sha256sum_mb_s']} MB/s ({t_sha:.2f} s)")
        print(f"ratio vault/sha256sum throughput: {figures['ratio_to_sha256sum']} (goal >= 0.5)")
        finish(figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
