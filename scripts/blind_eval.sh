#!/usr/bin/env bash
# Score a SEALED blind detection set with aggregate numbers only, and append the run to a log.
# Usage: scripts/blind_eval.sh SET.jsonl [LOG]   (run from the repository root, after `make setup`)
# Never print items or per-item predictions of a sealed set: the point is that nobody tunes on it.
set -euo pipefail
SET=$1; LOG=${2:-blind-eval-log.txt}
OUT=$(.venv/bin/weiquan eval "$SET" --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({k:d[k] for k in ("n","macro_f1","lawful_false_positive_rate","micro_f1") if k in d} | {"per_label_f1": {k:round(v["f1"],3) for k,v in d["per_label"].items()}}))')
echo "$(date -u +%FT%TZ) set=$(basename "$SET") commit=$(git rev-parse --short HEAD) dirty=$(git status --porcelain | wc -l) $OUT" | tee -a "$LOG"
