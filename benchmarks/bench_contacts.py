"""Time the contact-file and calendar readers against their parsing libraries on synthetic files.

Run: ``.venv/bin/python benchmarks/bench_contacts.py [n]`` (default n = 5000 records per file).
Prints seconds per reader and the ratio to the baseline measured in the same run:
``pandas.read_csv`` for CSV, ``vobject.readComponents`` for vCard, ``icalendar`` parsing for ics.
"""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

import icalendar
import pandas as pd
import vobject
from _timing import best_of

from netanalytics.io import read_contacts_csv, read_ics, read_vcard


def _write_files(folder: Path, n: int) -> tuple[Path, Path, Path]:
    header = "First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Value,Birthday\n"
    rows = "".join(
        f'Pé{i},Nø{i},Clients ::: * myContacts,* Work,p{i}@ex.org ::: q{i}@ex.org,"+1 555 {i:04d}",--03-14\n'
        for i in range(n)
    )
    csv_path = folder / "google.csv"
    csv_path.write_text(header + rows, encoding="utf-8")
    photo = base64.b64encode(bytes(range(256)) * 12).decode()
    folded = "PHOTO;ENCODING=b;TYPE=JPEG:" + "\r\n ".join(photo[i : i + 74] for i in range(0, len(photo), 74))
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë {i}\r\nN:{i};Zoë;;;\r\nEMAIL;TYPE=pref:z{i}@ex.org\r\n"
    card += "TEL:+1 555\r\nCATEGORIES:A,B\r\n" + folded + "\r\nEND:VCARD\r\n"
    vcf_path = folder / "cards.vcf"
    vcf_path.write_text("".join(card.format(i=i) for i in range(n)), encoding="utf-8")
    event = (
        "BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTART;TZID=Europe/Berlin:20250301T100000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=10\r\nORGANIZER:mailto:a@x.org\r\nATTENDEE;CN=B:mailto:b{i}@x.org\r\n"
        "SUMMARY:Sync {i}\r\nEND:VEVENT\r\n"
    )
    ics_path = folder / "cal.ics"
    ics_path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + "".join(event.format(i=i) for i in range(n // 10))
        + "END:VCALENDAR\r\n"
    )
    return csv_path, vcf_path, ics_path


def main(n: int = 5000) -> None:
    folder = Path(tempfile.mkdtemp())
    csv_path, vcf_path, ics_path = _write_files(folder, n)
    cases = [
        ("read_contacts_csv", lambda: read_contacts_csv(csv_path), lambda: pd.read_csv(csv_path, dtype=str)),
        (
            "read_vcard",
            lambda: read_vcard(vcf_path),
            lambda: list(vobject.readComponents(vcf_path.read_text(encoding="utf-8"))),
        ),
        (
            "read_ics",
            lambda: read_ics(ics_path),
            lambda: icalendar.Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT"),
        ),
    ]
    print(f"{'reader':<20}{'records':>9}{'seconds':>10}{'baseline s':>12}{'ratio':>8}")
    for name, ours, baseline in cases:
        frame, _ = ours()
        t_ours, t_base = best_of(ours), best_of(baseline)
        print(f"{name:<20}{len(frame):>9}{t_ours:>10.3f}{t_base:>12.3f}{t_ours / t_base:>8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
