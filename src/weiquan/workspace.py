"""The workspace: settings + database + vault + law pack, the one object every service takes."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from weiquan.config import Settings, load_settings
from weiquan.partfiles import clean_stale
from weiquan.store.db import Database
from weiquan.store.migrate import upgrade
from weiquan.vault.vault import Vault

if TYPE_CHECKING:
    from weiquan.law.pack import LawPack

log = logging.getLogger("weiquan")


class Workspace:
    """Open a data home: migrate the database to the current schema, set up the vault."""

    def __init__(self, settings: Settings | None = None, *, migrate: bool = True) -> None:
        self.settings = settings or load_settings()
        self.home: Path = self.settings.home
        self.home.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.settings.database_url)
        if migrate:
            upgrade(self.db.engine)
        self.vault = Vault(self.db, self.settings.vault_dir)
        self.vault.blobs.clean_tmp()
        clean_stale(self.home)  # .part outputs of a killed export

    @classmethod
    def open(cls, home: Path | str | None = None, **overrides: object) -> Workspace:
        return cls(load_settings(home, **overrides))

    @property
    def law(self) -> LawPack:
        """The law pack of this data home: the bundled data plus the LPR fixings imported into this home
        (``weiquan --home X law lpr --update``). Cheap to call: ``load_pack`` is cached until that file changes."""
        # the pack takes ~0.4 s to import (pydantic schema, YAML); commands that never need the law do not pay it
        from weiquan.law.pack import load_pack

        return load_pack(self.home)

    @cached_property
    def output_dir(self) -> Path:
        p = self.settings.output_dir
        p.mkdir(parents=True, exist_ok=True)
        return p

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
