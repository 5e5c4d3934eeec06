"""One settings object for the whole program.

Values come, in order of precedence, from explicit arguments (e.g. the CLI's
global ``--home``), environment variables prefixed ``WEIQUAN_``, then defaults.

| setting | env var | default |
|---|---|---|
| ``home`` | ``WEIQUAN_HOME`` | the user data dir (platformdirs), e.g. ``~/.local/share/weiquan`` |
| ``db_url`` | ``WEIQUAN_DB_URL`` | ``sqlite:///<home>/weiquan.db`` |
| ``timezone`` | ``WEIQUAN_TZ`` | ``Asia/Shanghai`` (source time zone assumed for wall-clock times) |
| ``log_level`` | ``WEIQUAN_LOG_LEVEL`` | ``WARNING`` |
| ``max_upload_mb`` | ``WEIQUAN_MAX_UPLOAD_MB`` | ``2048`` |
| ``workers`` | ``WEIQUAN_WORKERS`` | number of CPU cores (extraction jobs) |
| ``asr_model`` | ``WEIQUAN_ASR_MODEL`` | ``base`` (offline Whisper base; hub names such as ``small`` need internet) |
| ``trace_plugins`` | ``WEIQUAN_TRACE_PLUGINS`` | off (print every plug-in hook call) |
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Documented settings: name -> (env var, description). tests/test_docs.py checks the README covers each.
SETTINGS_DOC: dict[str, tuple[str, str]] = {
    "home": ("WEIQUAN_HOME", "数据目录 / data directory (database, vault, outputs)"),
    "db_url": ("WEIQUAN_DB_URL", "数据库地址 / database URL (SQLite file in home by default, or postgresql+psycopg://…)"),
    "timezone": ("WEIQUAN_TZ", "默认来源时区 / default source time zone for wall-clock times"),
    "log_level": ("WEIQUAN_LOG_LEVEL", "日志级别 / log level (never logs message bodies or ID numbers)"),
    "max_upload_mb": ("WEIQUAN_MAX_UPLOAD_MB", "单个上传文件上限 / per-file upload limit in the web UI, MB"),
    "workers": ("WEIQUAN_WORKERS", "后台提取并行数 / parallel extraction workers"),
    "asr_model": ("WEIQUAN_ASR_MODEL", "语音识别模型 / speech model: base (offline, bundled) or a hub name like small (needs internet)"),
    "trace_plugins": ("WEIQUAN_TRACE_PLUGINS", "打印插件调用 / print every plug-in hook call (debugging)"),
    "tsa_url": ("WEIQUAN_TSA_URL", "可信时间戳服务地址 / RFC 3161 TSA URL: when set, the ledger head is timestamped after each import and export (needs the network)"),
}


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("weiquan", appauthor=False))


class Settings(BaseSettings):
    """Runtime configuration. Create with :func:`load_settings`."""

    model_config = SettingsConfigDict(env_prefix="WEIQUAN_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    db_url: str | None = None
    timezone: str = Field(default="Asia/Shanghai", validation_alias="WEIQUAN_TZ")
    log_level: str = "WARNING"
    max_upload_mb: int = 2048
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1)
    asr_model: str = "base"
    trace_plugins: bool = False
    tsa_url: str | None = None

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
    settings = Settings(**values)  # type: ignore[arg-type]
    settings.home = settings.home.expanduser().resolve()
    return settings
