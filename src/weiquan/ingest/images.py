"""Screenshots and photos: stored as evidence awaiting OCR (no events until extraction runs); a screenshot's file
name gives its capture time (docs/sources.md#format-screenshot-names)."""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image, UnidentifiedImageError

from weiquan.ingest.base import ImportContext, Importer, ParseError, Probe, RawEvent
from weiquan.ingest.filenames import parse_screenshot_name

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/gif", "image/bmp")


def _heif_available() -> bool:
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        return True
    except ImportError:
        return False


class ImageImporter(Importer):
    name = "image"
    label_zh = "截图/照片"
    description = "截图/照片（png、jpg、webp、heic），等待文字识别"
    extraction = "ocr"

    def detect(self, probe: Probe) -> float:
        return 0.6 if probe.media_type in IMAGE_TYPES else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        with open(ctx.path, "rb") as f:
            head = f.read(16)
        if head[4:8] == b"ftyp":
            if not _heif_available():
                ctx.warn(
                    f"{ctx.original_name}：缺少 HEIC 解码器（pillow-heif），图片已保存但暂时无法识别 / "
                    "no HEIC decoder installed; stored, OCR will need pillow-heif"
                )
                return
        try:
            with Image.open(ctx.path) as im:
                im.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
            raise ParseError(
                f"{ctx.original_name}：图片已损坏或无法解码",
                f"{ctx.original_name}: the image is damaged or cannot be decoded ({type(e).__name__})",
            ) from None
        shot = parse_screenshot_name(ctx.original_name)
        if shot is not None:
            when, pkg = shot
            ctx.warn(
                f"截图时间（文件名）：{when:%Y-%m-%d %H:%M:%S}"
                + (f"，应用：{pkg}" if pkg else "")
                + f" / screenshot taken {when:%Y-%m-%d %H:%M:%S}"
                + (f" in {pkg}" if pkg else "")
            )
        yield from ()
