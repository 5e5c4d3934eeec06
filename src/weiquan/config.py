"""One settings object for the whole program.

Values come, in order of precedence, from explicit arguments (e.g. the CLI's
global ``--home``), environment variables prefixed ``WEIQUAN_``, then defaults.
Each field below carries its description and environment variable; the settings table of README.md is
generated from them (``python -m weiquan.commands._reference``), and tests/test_docs.py fails when it is stale.
"""

from __future__ import annotations

import os
from pathlib import Path

from zoneinfo import ZoneInfo

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone_or_default(name: str | None, default: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The IANA zone ``name``; ``default`` when the name is empty or not a known zone."""
    try:
        return ZoneInfo(name or default)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError; a malformed key a ValueError
        return ZoneInfo(default)


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("weiquan", appauthor=False))


class Settings(BaseSettings):
    """Runtime configuration. Create with :func:`load_settings`."""

    model_config = SettingsConfigDict(env_prefix="WEIQUAN_", extra="ignore")

    home: Path = Field(
        default_factory=default_home,
        description="数据目录 / data directory (database, vault, outputs)",
        json_schema_extra={"default_doc": "the user data dir (platformdirs), e.g. `~/.local/share/weiquan`"},
    )
    db_url: str | None = Field(
        default=None,
        description="数据库地址 / database URL (SQLite file in home by default, or postgresql+psycopg://…)",
        json_schema_extra={"default_doc": "`sqlite:///<home>/weiquan.db`"},
    )
    timezone: str = Field(
        default=DEFAULT_TIMEZONE,
        validation_alias="WEIQUAN_TZ",
        description="默认来源时区 / default source time zone for wall-clock times",
    )
    log_level: str = Field(
        default="WARNING", description="日志级别 / log level (never logs message bodies or ID numbers)"
    )
    max_upload_mb: int = Field(default=2048, description="单个上传文件上限 / per-file upload limit in the web UI, MB")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="后台提取并行数 / parallel extraction workers",
        json_schema_extra={"default_doc": "the number of CPU cores"},
    )
    asr_model: str = Field(
        default="base",
        description="语音识别模型 / speech model: base (offline, bundled) or a hub name like small (needs internet)",
    )
    asr_rescore: bool = Field(
        default=True,
        description="语音识别语言模型重打分 / re-rank the speech decoder's best hypotheses with a Chinese word "
        "language model (off: Whisper's first hypothesis)",
    )
    asr_hotword_pool: bool = Field(
        default=True,
        description="语音识别热词二次解码 / with the re-ranking on, decode each window a second time with the collection "
        "vocabulary as hotwords and let the re-ranking choose among both decodings' readings (off: one decoding)",
    )
    trace_plugins: bool = Field(default=False, description="打印插件调用 / print every plug-in hook call (debugging)")
    tsa_url: str | None = Field(
        default=None,
        description="可信时间戳服务地址 / RFC 3161 TSA URL: when set, the ledger head is timestamped after each import "
        "and export (needs the network)",
        json_schema_extra={"default_doc": "none (no timestamps)"},
    )

    @classmethod
    def env_var(cls, name: str) -> str:
        """The environment variable a setting is read from."""
        alias = cls.model_fields[name].validation_alias
        return alias if isinstance(alias, str) else f"WEIQUAN_{name.upper()}"

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.home / 'weiquan.db'}"

    @property
    def vault_dir(self) -> Path:
        return self.home / "vault"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def output_dir(self) -> Path:
        return self.home / "outputs"


def load_settings(home: Path | str | None = None, **overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. ``--home``) winning."""
    values: dict[str, object] = {k: v for k, v in overrides.items() if v is not None}
    if home is not None:
        values["home"] = Path(home).expanduser()
    if "timezone" in values:
        values["WEIQUAN_TZ"] = values.pop("timezone")
    settings = Settings(**values)  # type: ignore[arg-type]  # pydantic-settings validates the keyword values against the fields
    settings.home = settings.home.expanduser().resolve()
    return settings
