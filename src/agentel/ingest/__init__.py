"""Ingest: JSON log files of LLM interactions → spans, cost and checks, like live calls.

    from agentel.ingest import DirectorySource, Ingestor
    with Ingestor(DirectorySource("logs/")) as ing:
        report = ing.ingest_once()

Formats (OpenAI chat and Anthropic messages request+response pairs, the agentel format), the
source interface, the ledger and quarantine: docs/ingest.md. ``agentel ingest DIR [--watch]``
is the command.
"""

from __future__ import annotations

from agentel.ingest.formats import FORMATS, FormatError, Interaction, detect, parse_record
from agentel.ingest.record import Recorded, record_interaction
from agentel.ingest.run import DEFAULT_MAX_BYTES, FileOutcome, IngestBusyError, Ingestor, IngestReport
from agentel.ingest.source import DirectorySource, LogFile, LogSource

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "DirectorySource",
    "FileOutcome",
    "FormatError",
    "IngestBusyError",
    "IngestReport",
    "Ingestor",
    "Interaction",
    "LogFile",
    "LogSource",
    "Recorded",
    "detect",
    "parse_record",
    "record_interaction",
]
