"""The load report: for every file, how many records were read, kept and skipped, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields

import pandas as pd

__all__ = ["MAX_WARNINGS", "FileReport", "LoadReport"]

#: Per-record warnings a reader keeps in one FileReport; the rest are counted, not kept.
MAX_WARNINGS = 20


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
    not_read : str or None
        Why the whole file was left unread (an unknown file type, an unrecognised header, a
        damaged file), with what was seen; None for a file that was read.
    """

    path: str
    kind: str
    kept: int = 0
    skipped: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    not_read: str | None = None

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

    def warn(self, message: str, *, limit: int | None = None) -> None:
        """Add a warning; with ``limit``, keep the first ``limit`` and count the rest in
        ``notes["warnings_not_shown"]`` (readers pass :data:`MAX_WARNINGS`).

        Examples
        --------
        >>> r = FileReport("x.csv", "demo")
        >>> for i in range(3):
        ...     r.warn(f"w{i}", limit=2)
        >>> r.warnings, r.notes["warnings_not_shown"]
        (['w0', 'w1'], 1)
        """
        if limit is not None and len(self.warnings) >= limit:
            self.notes["warnings_not_shown"] = self.notes.get("warnings_not_shown", 0) + 1
            return
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

    The totals (:attr:`read`, :attr:`kept`, :attr:`skipped`) add up the files only, so
    ``read`` is exactly the number of records in the input files. What a later stage (such
    as identity resolution) leaves out of records the readers kept is accounted in
    :attr:`stages`, never counted as read a second time.

    Attributes
    ----------
    files : list of FileReport
        One per input file (or zip member, or mail folder), including files left unread
        (their :attr:`FileReport.not_read` says why).
    missing : list of str
        Files an export usually has that were not found (e.g. ``Invitations.csv``).
    stages : list of FileReport
        Processing after reading, e.g. ``(identity resolution)``: its ``skipped`` counts
        records the readers kept that did not become interactions, with the reason.

    Examples
    --------
    >>> rep = LoadReport()
    >>> rep.new_file("a.mbox", "mbox").keep(3)
    >>> rep.new_stage("(identity resolution)").skip("automated sender", 2)
    >>> _ = rep.skip_file("notes.txt", "unreadable", "not a contacts file (.csv, .vcf)")
    >>> rep.read, rep.kept, rep.skipped, rep.left_out, len(rep.files)
    (3, 3, 0, 2, 2)
    """

    files: list[FileReport] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    stages: list[FileReport] = field(default_factory=list)

    def new_file(self, path: str, kind: str) -> FileReport:
        """Start accounting for a file and return its :class:`FileReport`."""
        report = FileReport(str(path), kind)
        self.files.append(report)
        return report

    def skip_file(self, path: str, kind: str, reason: str) -> FileReport:
        """Account for a file left unread as a whole, with the reason (and what was seen)."""
        report = FileReport(str(path), kind, not_read=" ".join(str(reason).split()))
        self.files.append(report)
        return report

    def new_stage(self, name: str) -> FileReport:
        """Start accounting for a processing stage after reading (not a file)."""
        report = FileReport(str(name), "stage")
        self.stages.append(report)
        return report

    def extend(self, other: LoadReport) -> LoadReport:
        """Append the files, missing notes and stages of ``other``; returns ``self``."""
        self.files.extend(other.files)
        self.missing.extend(other.missing)
        self.stages.extend(other.stages)
        return self

    @property
    def read(self) -> int:
        """Records in the input files (each counted once)."""
        return sum(f.read for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.n_skipped for f in self.files)

    @property
    def left_out(self) -> int:
        """Records kept by the readers that a later stage left out (duplicates, automated mail...)."""
        return sum(f.n_skipped for f in self.stages)

    @property
    def unread_files(self) -> list[FileReport]:
        """The files left unread as a whole."""
        return [f for f in self.files if f.not_read is not None]

    def to_frame(self) -> pd.DataFrame:
        """One row per file: path, kind, read, kept, skipped, reasons, warnings."""
        rows = [
            {
                "path": f.path,
                "kind": f.kind,
                "read": f.read,
                "kept": f.kept,
                "skipped": f.n_skipped,
                "reasons": f"not read: {f.not_read}"
                if f.not_read is not None
                else "; ".join(f"{reason}: {n}" for reason, n in f.skipped.most_common()),
                "warnings": len(f.warnings),
            }
            for f in self.files
        ]
        columns = ["path", "kind", "read", "kept", "skipped", "reasons", "warnings"]
        return pd.DataFrame(rows, columns=columns)

    def __str__(self) -> str:
        lines = [f"{self.read} records read, {self.kept} kept, {self.skipped} skipped"]
        for f in self.files:
            if f.not_read is not None:  # no record, and its warnings only repeat the reason
                lines.append(f"  {f.path} [{f.kind}]: not read: {f.not_read}")
            else:
                lines.append(f"  {f.path} [{f.kind}]: read {f.read}, kept {f.kept}, skipped {f.n_skipped}")
                lines += self._details(f)
        for m in self.missing:
            lines.append(f"  not found: {m}")
        for stage in (s for s in self.stages if s.n_skipped or s.warnings):
            lines.append(f"  {stage.path}: of the records kept, left out {stage.n_skipped}")
            lines += self._details(stage)
        return "\n".join(lines)

    @staticmethod
    def _details(f: FileReport) -> list[str]:
        lines = [f"      skipped {n}: {reason}" for reason, n in f.skipped.most_common()]
        lines += [f"      warning: {w}" for w in f.warnings[:5]]
        if len(f.warnings) > 5:
            lines.append(f"      ... {len(f.warnings) - 5} more warnings")
        return lines
