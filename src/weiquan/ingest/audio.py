"""Duration of a call recording, read from the file (mutagen; AMR by counting frames)."""

from __future__ import annotations

import wave
from pathlib import Path

# Frame payload sizes (bytes, without the 1-byte frame header) by frame type (RFC 4867 §5.3).
AMR_NB_SIZES = (12, 13, 15, 17, 19, 20, 26, 31, 5, 0, 0, 0, 0, 0, 0, 0)
AMR_WB_SIZES = (17, 23, 32, 36, 40, 46, 50, 58, 60, 5, 0, 0, 0, 0, 0, 0)
AMR_FRAME_S = 0.02


def amr_duration(path: Path) -> float | None:
    """Count the 20 ms frames of a single-channel AMR/AMR-WB file (streamed)."""
    with open(path, "rb") as f:
        head = f.read(9)
        if head.startswith(b"#!AMR-WB\n"):
            sizes, f_pos = AMR_WB_SIZES, 9
        elif head.startswith(b"#!AMR\n"):
            sizes, f_pos = AMR_NB_SIZES, 6
        else:
            return None
        f.seek(f_pos)
        data = f.read()
    frames = 0
    i = 0
    n = len(data)
    while i < n:
        ft = (data[i] >> 3) & 0x0F
        i += 1 + sizes[ft]
        frames += 1
    return round(frames * AMR_FRAME_S, 3)


def audio_duration(path: Path) -> float | None:
    """Seconds of audio, or None when the container cannot be read."""
    d = amr_duration(path)
    if d is not None:
        return d
    try:
        import mutagen

        f = mutagen.File(path)
        if f is not None and getattr(f, "info", None) is not None and getattr(f.info, "length", None):
            return round(float(f.info.length), 3)
    except Exception:  # noqa: BLE001 - mutagen raises many types on damaged files
        pass
    try:
        with wave.open(str(path), "rb") as w:
            return round(w.getnframes() / float(w.getframerate()), 3)
    except Exception:  # noqa: BLE001 - the wave module raises wave.Error, EOFError, RuntimeError … on damaged headers
        return None
