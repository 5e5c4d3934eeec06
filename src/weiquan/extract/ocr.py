"""The OCR engine: rapidocr with the models bundled in its wheel, never anything downloaded.

rapidocr fetches any non-default model from the internet at run time. This wrapper passes the
bundled model files explicitly (so rapidocr's download code is never reached) and checks each
file's pinned SHA-256 first, refusing with :class:`MissingComponent` on a mismatch.

Each recognised line comes back with its box, the recogniser's confidence, and the colours of its
text ("ink") and background, which the layout parsers use (a red name in a call list is a missed
call; a green or blue bubble is a sent message).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from weiquan.errors import InputError, MissingComponent
from weiquan.vault.blobs import sha256_file

log = logging.getLogger(__name__)

RAPIDOCR_VERSION = "3.10.0"
# The default (bundled) models of rapidocr 3.10.0, with the SHA-256 its default_models.yaml lists.
BUNDLED_MODELS: dict[str, tuple[str, str]] = {
    "det": ("PP-OCRv6_det_small.onnx", "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    "rec": ("PP-OCRv6_rec_small.onnx", "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
    "cls": ("ch_ppocr_mobile_v2.0_cls_mobile.onnx", "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"),
}
ENGINE_ID = f"rapidocr-{RAPIDOCR_VERSION}/PP-OCRv6-small"
MAX_PIXELS = 40_000_000  # refuse absurd images (decompression bombs)


@dataclass(frozen=True)
class OcrLine:
    """One recognised text line. Box is (x0, y0, x1, y1) in image pixels."""

    text: str
    box: tuple[int, int, int, int]
    score: float
    ink: tuple[int, int, int] = (0, 0, 0)
    bg: tuple[int, int, int] = (255, 255, 255)

    @property
    def x0(self) -> int:
        return self.box[0]

    @property
    def y0(self) -> int:
        return self.box[1]

    @property
    def x1(self) -> int:
        return self.box[2]

    @property
    def y1(self) -> int:
        return self.box[3]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2


@dataclass
class OcrPage:
    width: int
    height: int
    lines: list[OcrLine] = field(default_factory=list)
    engine: str = ENGINE_ID

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "width": self.width,
            "height": self.height,
            "lines": [asdict(ln) for ln in self.lines],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> OcrPage:
        lines = [
            OcrLine(
                text=ln["text"],
                box=tuple(ln["box"]),
                score=float(ln["score"]),  # type: ignore[arg-type]  # the OCR engine's rows are untyped lists
                ink=tuple(ln.get("ink", (0, 0, 0))),
                bg=tuple(ln.get("bg", (255, 255, 255))),
            )  # type: ignore[arg-type]  # the OCR engine's rows are untyped lists
            for ln in d["lines"]
        ]
        return cls(width=int(d["width"]), height=int(d["height"]), lines=lines, engine=d.get("engine", ENGINE_ID))


def _sha256(path: Path) -> str:
    return sha256_file(path)[0]


@cache
def _verified(model_dir: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for task, (name, sha) in BUNDLED_MODELS.items():
        p = Path(model_dir) / name
        if not p.is_file():
            raise MissingComponent(
                f"OCR 模型文件缺失：{p}（请重新安装 rapidocr=={RAPIDOCR_VERSION}）",
                f"OCR model file missing: {p} (reinstall rapidocr=={RAPIDOCR_VERSION})",
            )
        if _sha256(p) != sha:
            raise MissingComponent(
                f"OCR 模型文件校验失败：{p.name}（哈希不符，拒绝使用）",
                f"OCR model checksum mismatch for {p.name}; refusing to use it",
            )
        out[task] = str(p)
    return out


def bundled_model_dir() -> Path:
    try:
        import rapidocr
    except ImportError as e:  # pragma: no cover - rapidocr is a core dependency
        raise MissingComponent("未安装 OCR 组件 rapidocr", "OCR component rapidocr is not installed") from e
    return Path(rapidocr.__file__).parent / "models"


def load_image(path: Path) -> np.ndarray:
    """Decode an image as an RGB array (EXIF orientation applied); bilingual error if unreadable."""
    try:
        with Image.open(path) as im:
            if im.width * im.height > MAX_PIXELS:
                raise InputError(f"图片过大：{im.width}×{im.height}", f"image too large: {im.width}x{im.height}")
            im = ImageOps.exif_transpose(im) or im
            return np.asarray(im.convert("RGB"))
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - any decoder error is bad input
        raise InputError(f"无法读取图片：{type(e).__name__}", f"cannot read image: {type(e).__name__}: {e}") from e


def line_colours(rgb: np.ndarray, box: tuple[int, int, int, int]) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(ink, background) colours inside a text box: background = median of the box's border,
    ink = mean of the fifth of pixels farthest from it."""
    hgt, wid = rgb.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(wid, box[2]), min(hgt, box[3])
    region = rgb[y0:y1, x0:x1].astype(np.int32)
    if region.size == 0:
        return (0, 0, 0), (255, 255, 255)
    crop = region.reshape(-1, 3)
    border = np.concatenate([region[0], region[-1], region[:, 0], region[:, -1]])
    bg = np.median(border, axis=0)
    dist = np.abs(crop - bg).sum(axis=1)
    k = max(1, crop.shape[0] // 5)
    idx = np.argpartition(dist, -k)[-k:]
    ink = crop[idx].mean(axis=0)
    return (int(ink[0]), int(ink[1]), int(ink[2])), (int(bg[0]), int(bg[1]), int(bg[2]))


class OcrEngine:
    """Bundled-model rapidocr. Create once per process (model load ≈ 1 s)."""

    def __init__(self, *, threads: int | None = None, model_dir: Path | None = None) -> None:
        paths = _verified(str(model_dir or bundled_model_dir()))
        try:
            from rapidocr import RapidOCR
        except ImportError as e:  # pragma: no cover
            raise MissingComponent("未安装 OCR 组件 rapidocr", "OCR component rapidocr is not installed") from e
        installed = metadata.version("rapidocr")
        if installed != RAPIDOCR_VERSION:
            log.warning("rapidocr %s installed, %s expected", installed, RAPIDOCR_VERSION)
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.use_cls": False,  # screenshots are upright; the classifier only costs time
            "Det.model_path": paths["det"],
            "Rec.model_path": paths["rec"],
            "Cls.model_path": paths["cls"],
        }
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        self._ocr = RapidOCR(params=params)

    def raw(self, bgr: np.ndarray) -> Any:
        """The bare rapidocr call (used by the benchmark as the reference)."""
        return self._ocr(bgr)

    def read_array(self, rgb: np.ndarray) -> OcrPage:
        result = self._ocr(np.ascontiguousarray(rgb[..., ::-1]))
        page = OcrPage(width=int(rgb.shape[1]), height=int(rgb.shape[0]))
        if result.boxes is None or result.txts is None:
            return page
        for quad, text, score in zip(result.boxes, result.txts, result.scores):
            q = np.asarray(quad)
            box = (int(q[:, 0].min()), int(q[:, 1].min()), int(q[:, 0].max()), int(q[:, 1].max()))
            ink, bg = line_colours(rgb, box)
            page.lines.append(OcrLine(text=str(text), box=box, score=round(float(score), 4), ink=ink, bg=bg))
        page.lines.sort(key=lambda ln: (ln.y0, ln.x0))
        return page

    def read(self, path: Path) -> OcrPage:
        return self.read_array(load_image(path))
