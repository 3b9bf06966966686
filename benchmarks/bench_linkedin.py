"""Benchmark: read_linkedin on a 50,000-row Connections.csv and a 100,000-row messages.csv vs naive baselines.

Run ``.venv/bin/python benchmarks/bench_linkedin.py``. The target is under 2 s per file; the
baselines (``pd.read_csv`` with a guessed ``skiprows``, and the bare csv module) only split the
text and do none of the work the reader does (header search, accounting, dates, URLs,
recipient parsing, owner detection), so they give the floor the reader is compared with.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
from pathlib import Path

import pandas as pd
from _timing import best_of

from netanalytics.io import read_linkedin

N_CONNECTIONS = 50_000
N_MESSAGES = 100_000
TARGET_SECONDS = 2.0

PREAMBLE = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are '
    'missing."\n\n'
)


def write_connections(path: Path, n: int, rng: random.Random) -> None:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    lines = [PREAMBLE + "First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    for i in range(n):
        last = f'"Person{i}, MBA"' if i % 50 == 0 else f"Person{i}"
        email = f"p{i}@example.com" if i % 40 == 0 else ""
        date = f"{rng.randint(1, 28):02d} {rng.choice(months)} {rng.randint(2008, 2025)}"
        url = f"https://www.linkedin.com/in/person-{i}" if i % 200 else ""
        lines.append(f"Name{i},{last},{url},{email},Company {i % 900},Engineer,{date}")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_messages(path: Path, n: int, rng: random.Random) -> None:
    header = (
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
        "SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION DRAFT"
    )
    me, me_url = "Zoe Owner", "https://www.linkedin.com/in/zoe-owner"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        handle.write(header + "\n")
        for i in range(n):
            other = rng.randrange(3000)
            name, url = f"Person {other}", f"https://www.linkedin.com/in/person-{other}"
            mine = rng.random() < 0.45
            sender, sender_url, to, to_url = (me, me_url, name, url) if mine else (name, url, me, me_url)
            date = (
                f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} UTC"
            )
            content = "Hello,\nthanks for the note, let's talk next week." if i % 3 else "Quick question"
            draft = "Yes" if i % 500 == 0 else "No"
            writer.writerow([f"2-conv{other}", "", sender, sender_url, to, to_url, date, "", content, "INBOX", "",
                             draft, draft])  # fmt: skip


def csv_module_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle))


def main() -> int:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "conn").mkdir()
        (tmp / "msg").mkdir()
        connections, messages = tmp / "conn" / "Connections.csv", tmp / "msg" / "messages.csv"
        write_connections(connections, N_CONNECTIONS, rng)
        write_messages(messages, N_MESSAGES, rng)

        export_c = read_linkedin(tmp / "conn")
        export_m = read_linkedin(tmp / "msg")
        assert export_c.report.files[0].read == N_CONNECTIONS
        assert export_m.report.files[0].read == N_MESSAGES

        rows = [
            ("Connections.csv", N_CONNECTIONS, "read_linkedin", best_of(lambda: read_linkedin(tmp / "conn"))),
            ("Connections.csv", N_CONNECTIONS, "pd.read_csv(skiprows=3)",
             best_of(lambda: pd.read_csv(connections, skiprows=3, dtype=str, keep_default_na=False))),
            ("Connections.csv", N_CONNECTIONS, "csv.reader (split only)", best_of(lambda: csv_module_rows(connections))),
            ("messages.csv", N_MESSAGES, "read_linkedin", best_of(lambda: read_linkedin(tmp / "msg"))),
            ("messages.csv", N_MESSAGES, "pd.read_csv",
             best_of(lambda: pd.read_csv(messages, dtype=str, keep_default_na=False))),
            ("messages.csv", N_MESSAGES, "csv.reader (split only)", best_of(lambda: csv_module_rows(messages))),
        ]  # fmt: skip

    print(f"{'file':<17}{'rows':>9}  {'reader':<26}{'best of 3 (s)':>14}")
    for name, n, reader, seconds in rows:
        print(f"{name:<17}{n:>9}  {reader:<26}{seconds:>14.3f}")
    print()
    ok = True
    for name, _n, reader, seconds in rows:
        if reader == "read_linkedin":
            baseline = next(s for f, _, r, s in rows if f == name and r.startswith("pd.read_csv"))
            verdict = "OK" if seconds < TARGET_SECONDS else "TOO SLOW"
            ok &= seconds < TARGET_SECONDS
            print(
                f"{name}: {seconds:.3f} s (target < {TARGET_SECONDS} s: {verdict}), {seconds / baseline:.1f}x naive pd.read_csv"
            )
    m = export_m.report.files[0]
    print(f"messages.csv accounting: read {m.read}, kept {m.kept}, skipped {dict(m.skipped)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
