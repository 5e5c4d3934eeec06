"""Built-in importers, registered through the ``weiquan`` entry-point group like any plug-in."""

from __future__ import annotations

from weiquan.hookspecs import hookimpl
from weiquan.ingest.adb import AdbCallsDump, AdbSmsDump
from weiquan.ingest.android_db import AndroidCallLogDb, AndroidSmsDb
from weiquan.ingest.base import Importer
from weiquan.ingest.images import ImageImporter
from weiquan.ingest.ios import IosCallHistory, IosSmsDb
from weiquan.ingest.manual import ManualJson
from weiquan.ingest.oppo import OppoCallLog, OppoVmsg
from weiquan.ingest.recordings import RecordingImporter
from weiquan.ingest.synctech import SyncTechCalls, SyncTechSms
from weiquan.ingest.tabular import TabularImporter


@hookimpl
def register_importers() -> list[Importer]:
    return [
        SyncTechSms(),
        SyncTechCalls(),
        AdbSmsDump(),
        AdbCallsDump(),
        AndroidSmsDb(),
        AndroidCallLogDb(),
        IosSmsDb(),
        IosCallHistory(),
        OppoVmsg(),
        OppoCallLog(),
        TabularImporter(),
        RecordingImporter(),
        ImageImporter(),
        ManualJson(),
    ]
