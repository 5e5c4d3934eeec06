"""The worker settings docs/bulk.md tells multi-machine users to install are the ones the local cluster uses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from weiquan.bulk.runner import WORKER_CONFIG

DOC = Path(__file__).resolve().parents[2] / "docs" / "bulk.md"


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        out.update(_flat(v, key + ".") if isinstance(v, dict) else {key: v})
    return out


def test_documented_worker_yaml_equals_the_local_clusters_settings() -> None:
    block = re.search(r"```yaml\n# ~/.config/dask/weiquan-worker.yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "docs/bulk.md lost its worker configuration block"
    assert _flat(yaml.safe_load(block.group(1))) == WORKER_CONFIG


def test_the_local_cluster_unsets_dasks_malloc_trim_threshold() -> None:
    import dask

    from distributed.nanny import _get_env_variables

    with dask.config.set(WORKER_CONFIG):
        env = _get_env_variables("distributed.nanny.pre-spawn-environ")
    assert "MALLOC_TRIM_THRESHOLD_" not in env  # Dask's default (65536) costs the workers 20-25 % CPU per text
