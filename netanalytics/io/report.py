"""The load report: for every file, how many records were read, kept and skipped, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields

import pandas as pd

__all__ = ["FileReport", "LoadReport"]


@dataclass
class FileReport:
    """Accounting for one input file (or one member of a zip, or one mail folder).

    Readers call :meth:`keep` and :meth:`skip` for every record they meet, so that
    ``read == kept + skipped`` holds by construction.

    Attributes
    ----------
    path : str
        The file, as the user named it (``export.zip!Connections.csv`` for zip members).
    kind : str
        What the reader took it for, e.g. ``"linkedin.connections"`` or ``"mbox"``.
    kept : int
        Records that became rows.
    skipped : Counter
        Reason → number of records not turned into rows.
    warnings : list of str
        Things worth knowing that did not cost a record (a date that fell back, ...).
    notes : dict
        Evidence a reader wants to show, e.g. how the owner was identified.
    """

    path: str
    kind: str
    kept: int = 0
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    @property
    def read(self) -> int:
        """Records read: always ``kept + n_skipped``."""
        return self.kept + self.n_skipped

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())

    def keep(self, n: int = 1) -> None:
        self.kept += n

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped[reason] += n

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def to_dict(self) -> dict:
        """Plain data (for the JSON of a cache entry); :meth:`from_dict` reverses it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> FileReport:
        data = dict(data)
        data["skipped"] = Counter(data.get("skipped", {}))
        return cls(**data)


@dataclass
class LoadReport:
    """What a load read, kept and skipped, file by file.

    Attributes
    ----------
    files : list of FileReport
    missing : list of str
        Files an export usually has that were not found (e.g. ``Invitations.csv``).
    """

    files: list[FileReport] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def new_file(self, path: str, kind: str) -> FileReport:
        """Start accounting for a file and return its :class:`FileReport`."""
        report = FileReport(str(path), kind)
        self.files.append(report)
        return report

    def extend(self, other: LoadReport) -> LoadReport:
        """Append the files and missing notes of ``other``; returns ``self``."""
        self.files.extend(other.files)
        self.missing.extend(other.missing)
        return self

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.n_skipped for f in self.files)

    def to_frame(self) -> pd.DataFrame:
        """One row per file: path, kind, read, kept, skipped, reasons, warnings."""
        rows = [
            {
                "path": f.path,
                "kind": f.kind,
                "read": f.read,
                "kept": f.kept,
                "skipped": f.n_skipped,
                "reasons": "; ".join(f"{reason}: {n}" for reason, n in f.skipped.most_common()),
                "warnings": len(f.warnings),
            }
            for f in self.files
        ]
        columns = ["path", "kind", "read", "kept", "skipped", "reasons", "warnings"]
        return pd.DataFrame(rows, columns=columns)

    def __str__(self) -> str:
        lines = [f"{self.read} records read, {self.kept} kept, {self.skipped} skipped"]
        for f in self.files:
            lines.append(f"  {f.path} [{f.kind}]: read {f.read}, kept {f.kept}, skipped {f.n_skipped}")
            for reason, n in f.skipped.most_common():
                lines.append(f"      skipped {n}: {reason}")
            for w in f.warnings[:5]:
                lines.append(f"      warning: {w}")
            if len(f.warnings) > 5:
                lines.append(f"      ... {len(f.warnings) - 5} more warnings")
        for m in self.missing:
            lines.append(f"  not found: {m}")
        return "\n".join(lines)
