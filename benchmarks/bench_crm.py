"""Time the CRM readers (HubSpot CSV, Monica JSON) against baselines on synthetic exports.

Run: ``.venv/bin/python benchmarks/bench_crm.py [n]`` (default n = 20000 activities, n / 10 contacts).
Prints seconds per reader and the ratio to the baseline measured in the same run:
``read_call_log`` on a call log of the same n rows for the HubSpot activities CSV (the same
work: a row, a person, a date, a direction), and ``json.load`` of the file for the Monica export.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _timing import best_of

from netanalytics.io import read_call_log, read_crm, read_monica


def _write(folder: Path, n: int) -> tuple[Path, Path, Path, Path]:
    m = max(1, n // 10)
    contacts = folder / "contacts.csv"
    contacts.write_text(
        "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Create Date\n"
        + "".join(
            f"{i},Pé{i},Nø{i},p{i}@ex.org,+41 79 555 {i % 10000:04d},Co {i % 50},Eng,2024-01-01\n"
            for i in range(m)
        )
    )
    types = ("CALL", "MEETING", "EMAIL", "NOTE")
    activities = folder / "activities.csv"
    activities.write_text(
        "Activity date,Activity type,Associated Contact,Associated Contact IDs,Call direction,Call notes\n"
        + "".join(
            f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d},{types[i % 4]},Pé{i % m} Nø{i % m} "
            f"(p{i % m}@ex.org),{i % m},{'INBOUND' if i % 2 else 'OUTBOUND'},a note\n"
            for i in range(n)
        )
    )
    log = folder / "log.csv"
    log.write_text(
        "date,person,channel,direction,duration_minutes,note\n"
        + "".join(
            f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:{i % 60:02d},p{i % m}@ex.org,call,"
            f"{'in' if i % 2 else 'out'},5,a note\n"
            for i in range(n)
        )
    )
    field = [{"properties": {"data": "x@ex.org", "type": "f-email"}}]
    people = [
        {"uuid": f"c{i}", "properties": {"first_name": f"Pé{i}", "last_name": "Nø", "company": "Co"},
         "data": [{"count": 1, "type": "contact_field", "values": field},
                  {"count": 10, "type": "call", "values": [
                      {"properties": {"called_at": f"2025-01-{1 + k:02d}T00:00:00.000000Z", "contact_called": k % 2 == 0}}
                      for k in range(10)]},
                  {"count": 1, "type": "activity", "values": [f"a{i}"]}]}
        for i in range(m)
    ]  # fmt: skip
    activities_json = [
        {"uuid": f"a{i}", "properties": {"happened_at": "2025-02-01T00:00:00.000000Z", "type": "t1"}}
        for i in range(m)
    ]
    monica = folder / "monica.json"
    monica.write_text(
        json.dumps(
            {"version": "1.0-preview.1", "app_version": "3.7.0", "exported_by": "u", "account": {
                "data": [{"count": m, "type": "contact", "values": people},
                         {"count": m, "type": "activity", "values": activities_json}],
                "instance": {"activity_types": [{"uuid": "t1", "properties": {"name": "Coffee"}}],
                             "contact_field_types": [{"uuid": "f-email", "properties": {"name": "Email", "type": "email"}}]}}}
        )
    )  # fmt: skip
    return contacts, activities, log, monica


def main(n: int = 20000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        contacts, activities, log, monica = _write(Path(tmp), n)
        base_log = best_of(lambda: read_call_log(log, me="me@ex.org"))
        crm = best_of(lambda: read_crm([contacts, activities], me="me@ex.org"))
        base_json = best_of(lambda: json.loads(monica.read_text()))
        mon = best_of(lambda: read_monica(monica))
        _, messages, _ = read_monica(monica)
        print(f"HubSpot CSV: {n} activities + {n // 10} contacts  read_crm {crm:.3f} s")
        print(
            f"  baseline read_call_log on {n} rows              {base_log:.3f} s  ratio {crm / base_log:.2f}"
        )
        print(f"Monica JSON: {n // 10} contacts, {len(messages)} calls+activities  read_monica {mon:.3f} s")
        print(
            f"  baseline json.loads of the file                 {base_json:.3f} s  ratio {mon / base_json:.2f}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
