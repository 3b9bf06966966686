"""Write the five notebooks in ``notebooks/`` from the cells below, and execute them.

    python scripts/make_notebooks.py            # write and execute (outputs stored)
    python scripts/make_notebooks.py --no-run   # write only

The notebooks are the user-facing story; this script keeps them reviewable as code.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = """\
import matplotlib.pyplot as plt
import pandas as pd
import netanalytics as na
from netanalytics import plotting

pd.set_option("display.max_columns", 20)
pd.set_option("display.width", 160)
net = na.datasets.load_sample()
net"""

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {}

NOTEBOOKS["01_quickstart"] = [
    (
        "md",
        """\
# netanalytics in ten minutes

This notebook loads the bundled **sample network** — the invented professional life of Elena Marsh,
a product manager, over four years: a LinkedIn export, a Gmail Takeout mailbox, a Google Contacts
file, a vCard file and a calendar export — and walks through what netanalytics makes of it.

Everything below runs on files. Nothing leaves the machine, and no message body is kept.
Notebook `05_your_own_data` shows how to point the same calls at your own exports.""",
    ),
    ("code", SETUP),
    (
        "md",
        """\
## What was loaded

`net.summary()` says what was read from each file, what was kept, and what was skipped and why:
drafts, sponsored LinkedIn messages, automated senders, self-mail. Every record read is either
kept or counted as skipped — `read == kept + skipped` holds for every file.""",
    ),
    ("code", "print(net.summary())"),
    (
        "md",
        """\
## People, and how they were recognised

The same person shows up as an email address in the mailbox, a profile URL on LinkedIn, a name in
an old LinkedIn message and a card in the address book. `net.identities` lists every such
*identity key* with the person it was linked to and the **rule** that linked it.""",
    ),
    (
        "code",
        """\
print(net.identities["match_rule"].value_counts().to_string())
net.people[["name", "company", "domain", "sources", "tags", "kind"]].head(8)""",
    ),
    (
        "md",
        """\
`net.interactions` is the frame every metric reads: one row per message × counterpart, with the
direction (`out` = I wrote, `in` = they wrote), the channel and whether the message answered
another.""",
    ),
    (
        "code",
        """\
inter = net.interactions
print(inter["channel"].value_counts().to_string())
inter.head()""",
    ),
    (
        "md",
        """\
## The network at a glance

Elena is at the centre; every dot is a person, coloured by the community Louvain finds in who
appears on the same messages, sized by tie strength. Only the strongest ties are labelled.""",
    ),
    (
        "code",
        """\
strength = na.tie_strength(net)
fig, ax = plt.subplots(figsize=(9, 8))
plotting.plot_network_map(net, strength=strength, ax=ax)
plt.show()""",
    ),
    (
        "md",
        """\
## Three questions, three calls

- **Health**: `na.health(net)` — a 0–100 score whose every component shows its value, weight and reason.
- **Dormancy**: `na.dormancy(net)` and `na.reconnect(net)` — who is going quiet, judged by each
  relationship's own rhythm, and who is worth reviving.
- **Reciprocity**: `na.reciprocity(net)` — who initiates, who replies and how fast.""",
    ),
    (
        "code",
        """\
h = na.health(net)
print(f"Health score: {h.headline}")
h.components[["component", "value", "weight", "points", "reason"]]""",
    ),
    (
        "code",
        """\
na.reconnect(net, n=5)[["name", "state", "days_since", "reason"]]""",
    ),
    (
        "md",
        """\
The same results, as a self-contained HTML report: `netanalytics demo` on the command line, or
`netanalytics.report.write_report(net, "report.html")` from Python. The next notebooks take each
question in turn.""",
    ),
]

NOTEBOOKS["02_dormancy"] = [
    (
        "md",
        """\
# Which relationships are going dormant?

A fixed "call every 90 days" timer treats a weekly collaborator and a once-a-year mentor alike.
netanalytics judges each tie against **its own rhythm** (the typical gap between contacts) and
against a probability model of whether the relationship is still alive at all.""",
    ),
    ("code", SETUP),
    (
        "code",
        """\
d = na.dormancy(net)
print(d["state"].value_counts().to_string())
d.sort_values("days_since").head(8)""",
    ),
    (
        "md",
        """\
## Rhythm against silence

Each point is a tie: how long they usually go between contacts (x) against how long it has been
since the last one (y). Points above the dashed line are overdue by their own standard; far above
the dotted line (twice the usual gap) the relationship is **cooling**. After a year without
contact a tie is **dormant**, after three years **long dormant**.""",
    ),
    (
        "code",
        """\
rc = na.reconnect(net, n=8)
fig, ax = plt.subplots(figsize=(9, 7))
plotting.plot_dormancy_map(d, reconnect=rc, ax=ax)
plt.show()""",
    ),
    (
        "md",
        """\
## Is the relationship still alive? Buy-till-you-die models

Marketing science models customers who buy at their own rate until they silently "die"
(Fader, Hardie & Lee 2005). A relationship behaves the same way: contacts come at a rate, and at
some unobserved moment they stop. Fitted across all of Elena's ties (time unit: weeks), the model
gives each tie `p_alive` — the probability it is still active — and `expected_next_90d`, the
contacts to expect in the next 90 days. The default is the Pareto/NBD model; BG/NBD is reported
beside it (`p_alive_bgnbd`). The implementations reproduce the published CDNOW numbers
(see `tests/metrics/test_btyd.py`).""",
    ),
    (
        "code",
        """\
d[["n_contacts", "days_since", "typical_gap_days", "overdue_ratio", "p_alive", "p_alive_bgnbd",
   "expected_next_90d", "state"]].sort_values("p_alive").head(10)""",
    ),
    (
        "md",
        """\
## Who to reconnect with, and why

Reconnecting with dormant ties pays off, most of all with formerly strong ones: they still trust
you, and having been away they know things your current circle does not (Levin, Walter &
Murnighan 2011). `na.reconnect` ranks dormant ties by their past peak strength and their
novelty — a company or community none of your active ties belong to — and says why.""",
    ),
    (
        "code",
        """\
for _, row in rc.iterrows():
    print(f"- {row['name']}: {row['reason']}")""",
    ),
    ("md", "One relationship over time — the top candidate:"),
    (
        "code",
        """\
fig, ax = plt.subplots(figsize=(10, 3.5))
plotting.plot_timeline(net, rc.index[0], ax=ax)
plt.show()""",
    ),
    (
        "md",
        """\
## Your own cadence

You can tell netanalytics how often you *want* to be in touch, per person or per kind of
relationship, in an annotations CSV (`key,kind,tags,cadence_days`; `kind:client` sets every
client). `due` then follows your cadence instead of the inferred rhythm.""",
    ),
    (
        "code",
        """\
import tempfile, pathlib
sample = na.datasets.sample_path()
clients = net.people[net.people["kind"] == "client"]
notes = pathlib.Path(tempfile.mkdtemp()) / "annotations.csv"
notes.write_text("key,kind,tags,cadence_days\\nkind:client,,,45\\n")
annotated = na.load(linkedin=sample / "linkedin", email=sorted((sample / "mail").glob("*.mbox")),
                    contacts=sorted(p for p in (sample / "contacts").iterdir()),
                    calendar=sorted((sample / "calendar").glob("*.ics")), annotations=notes)
da = na.dormancy(annotated)
da[annotated.people["kind"].reindex(da.index) == "client"][["days_since", "cadence_days", "due", "state"]].head(10)""",
    ),
]

NOTEBOOKS["03_reciprocity"] = [
    (
        "md",
        """\
# Who gives, who takes?

Reciprocity is about more than message counts: who starts conversations, who answers, how fast,
and who endorses or recommends whom. Imbalance is normal — most ties are somewhat one-sided
(Wang et al. 2013) — so netanalytics flags the extremes rather than every asymmetry.""",
    ),
    ("code", SETUP),
    (
        "code",
        """\
r = na.reciprocity(net)
r[["sent", "received", "initiation_share", "my_reply_rate", "their_reply_rate",
   "my_median_reply_hours", "their_median_reply_hours", "owes_reply"]].sort_values("sent", ascending=False).head(10)""",
    ),
    (
        "md",
        """\
## Sent against received

On log scales, the diagonal is perfect balance. Ties far from it — one side writes at least four
times as much — are marked as one-sided.""",
    ),
    (
        "code",
        """\
fig, ax = plt.subplots(figsize=(8, 7))
plotting.plot_reciprocity(r, names=net.people["name"], ax=ax)
plt.show()""",
    ),
    (
        "md",
        """\
## How fast do replies come?

Reply times are heavy-tailed, so medians, not means. Kooti et al. (2015), on 16 billion Yahoo
emails, found most replies come within an hour or two; people who receive more mail answer a
smaller share of it. Replies are found through In-Reply-To headers, else as the next message the
other way in the same thread, within a 7-day window.""",
    ),
    (
        "code",
        """\
lat = na.reply_latencies(net)
fig, ax = plt.subplots(figsize=(9, 4.5))
plotting.plot_reply_latency(lat, ax=ax)
plt.show()
lat.groupby("direction")["hours"].median()""",
    ),
    (
        "md",
        """\
## Direct and group messages are different

Whether a message gets an answer depends first of all on how many people it went to
(Karagiannis & Vojnovic 2009), so reply rates are split into direct (two people) and group
messages.""",
    ),
    (
        "code",
        """\
r[["my_reply_rate_direct", "my_reply_rate_group", "their_reply_rate_direct", "their_reply_rate_group"]].describe().loc[["count", "mean", "50%"]]""",
    ),
    (
        "md",
        """\
## Replies I owe, and one-sided ties

`balance` = (min(sent, received) + 1) / (max + 1) is shrunk towards even by a uniform Beta(1, 1)
prior (as strong as one message each way), so a single message reads 0.50 and 6 sent / 0 received
reads 0.14. The raw counts therefore travel with it, and a tie is called **one-sided** only on
evidence: balance ≤ 1/4 *and* at least five messages. `one_sided_evidence` gives the counts — also
for lopsided ties with too few messages to call.""",
    ),
    (
        "code",
        """\
names = net.people["name"]
owed = r[r["owes_reply"]]
print(f"{len(owed)} replies owed:", ", ".join(names[owed.index][:10]))
one_sided = r[r["one_sided"]].assign(name=names).sort_values("log_imbalance", ascending=False)
one_sided[["name", "sent", "received", "balance", "one_sided_evidence"]].head(8)""",
    ),
    ("md", "## LinkedIn favours: endorsements, recommendations, invitations"),
    (
        "code",
        """\
favours = r[["endorsements_given", "endorsements_received", "recommendations_given", "recommendations_received"]].sum()
print(favours.to_string())
print(f"overall reciprocity of the directed ego network: {na.overall_reciprocity(net):.3f}")
print(f"give/take ratio (messages I sent per message received): {na.give_take_ratio(net):.2f}")""",
    ),
]

NOTEBOOKS["04_network_health"] = [
    (
        "md",
        """\
# How healthy is the network?

`na.health` condenses size, structure, diversity, concentration and vitality into a 0–100 score.
The number matters less than its parts: every component shows its value, its weight and a
one-line reason, so you can see *why*.

Two rules keep the number honest about what your files can show:

- **Coverage.** Each component needs some evidence — structure needs ties *between* your contacts
  (group mail, meetings, co-recipients), reciprocity needs messages both ways, vitality and growth
  need a year of history. When the loaded sources do not hold it, the component is **not
  measurable**: NaN value and points, `measurable` False, and a reason that says what to load. It is
  left out of the score, which is renormalised over the measurable components and says so
  (`h.headline`: "76/100 over 8 of 8 components"). A component's points never exceed its weight.
- **Confidence.** `h.coverage` states what the score stands on: the sources, the messages sent and
  received and the people in contact in the last 365 days, how many of them appear on group
  messages, the LinkedIn connections. Below the minimum in `na.metrics.health.MIN_EVIDENCE` (20
  messages sent, 20 received, 15 people, half of the weight measurable) the score is flagged
  **low-confidence**, with the reasons.""",
    ),
    ("code", SETUP),
    (
        "code",
        """\
h = na.health(net)
print(h.headline)
print(h.coverage)
fig, ax = plt.subplots(figsize=(9, 5))
plotting.plot_health(h, ax=ax)
plt.show()
h.components[["component", "value", "weight", "points", "measurable", "reason"]]""",
    ),
    (
        "md",
        """\
## What a LinkedIn export alone can tell

The most common first step is to load only the LinkedIn export. It holds your connections and your
LinkedIn messages, but nothing shows which of your contacts know each other: an ego network without
alter–alter ties looks perfectly non-redundant, so structure would earn full marks from missing data.
Here it is not measurable instead, community diversity is left out with it, and the score is over
the other components. Growth still counts: each LinkedIn connection is a new tie on its
`connected_on` date (a first message from someone new is another).""",
    ),
    (
        "code",
        """\
linkedin_only = na.load(linkedin=na.datasets.sample_path() / "linkedin", progress=False)
h_li = na.health(linkedin_only)
print(h_li.headline)
print(h_li.coverage)
fig, ax = plt.subplots(figsize=(9, 5))
plotting.plot_health(h_li, ax=ax)
plt.show()
for row in h_li.components[~h_li.components["measurable"]].itertuples():
    print(f"{row.component}: not measurable: {row.reason}")
h_li.components[["component", "value", "weight", "points", "measurable", "reason"]]""",
    ),
    (
        "md",
        """\
A network built from a few months of mail, or from an inbox without the sent folder, shows the same
way: vitality and growth say they need a year of history, reciprocity that it needs messages you
sent, and `h.coverage` flags a score standing on fewer than 20 messages each way or 15 people.

Reciprocity per tie follows the same rule: `balance` is shrunk towards even by a stated Beta(1, 1)
prior, so the raw `sent` / `received` counts travel with it, and `one_sided` needs at least five
messages (see notebook 03).""",
    ),
    (
        "md",
        """\
## Size and Dunbar layers

People keep relationships in layers of roughly 5, 15, 50 and 150 (Zhou et al. 2005; Hill &
Dunbar 2003). netanalytics assigns each tie to a layer by its contacts in the last year
(≥ 52 → 5, ≥ 12 → 15, ≥ 4 → 50, ≥ 1 → 150).""",
    ),
    (
        "code",
        """\
s = na.tie_strength(net)
fig, ax = plt.subplots(figsize=(7, 7))
plotting.plot_layers(s, ax=ax)
plt.show()
print(f"active in the last 28 days (both directions, >= 2 interactions): {h.active_size_28d}")
print(f"in touch in the last 365 days: {h.size_365d}")""",
    ),
    (
        "md",
        """\
## Channels: where each tie lives

People keep in touch on more than one channel: mail, LinkedIn, meetings, and (when you load them)
chats, calls and the activities of a CRM. `na.channel_mix` counts each tie's interactions per channel
over the last year and compares its main channel in the two halves of the year: a tie that *moved
channel* (from email to WhatsApp, say) is still in touch, not fading. Free-text channels from call
logs and CRMs are read as a few kinds (`call`, `video`, `meeting`, `in_person`, `sms` ...), so tie
strength's `channels` (multiplexity) counts kinds, not spellings.""",
    ),
    (
        "code",
        """\
mix = na.channel_mix(net, top=15)
fig, ax = plt.subplots(figsize=(9, 5.5))
plotting.plot_channel_mix(net, ax=ax)
plt.show()
print(f"{int(mix['moved'].sum())} of the {len(mix)} busiest ties moved channel")
mix.head()""",
    ),
    (
        "md",
        """\
## Structure: brokerage and communities

Alter–alter edges come from **co-participation** — two people on the same email, meeting or
group conversation. That is a lower bound on who knows whom: we never see them talk without us.
Burt's constraint is low and effective size high when your contacts do not all know each other,
i.e. when you bridge groups.""",
    ),
    (
        "code",
        """\
print(f"constraint {h.constraint:.3f}, effective size {h.effective_size:.1f}, efficiency {h.efficiency:.2f}, "
      f"density {h.density:.3f}")
print(f"communities spanned: {h.communities}, bridging ties: {h.bridging_ties}")
h.diversity""",
    ),
    (
        "md",
        """\
## Concentration and vitality

A network where a handful of people take most of your time is fragile. The Gini coefficient and
the top-5 share measure that; vitality asks whether last year's close ties are still alive and
whether new ties keep coming.""",
    ),
    (
        "code",
        """\
print(f"Gini {h.gini:.2f}, top-5 share {h.top5_share:.0%}")
print(f"dormant share of last year's close ties {h.dormant_share:.0%}, new ties per quarter {h.new_ties_per_quarter:.1f}")
h.by_kind.head(12)""",
    ),
    ("md", "## Over time: one score per quarter"),
    (
        "code",
        """\
hist = na.health_history(net, freq="QE")
fig, ax = plt.subplots(figsize=(10, 4.5))
plotting.plot_health_history(hist, ax=ax)
plt.show()""",
    ),
    ("md", "## When do I keep in touch?"),
    (
        "code",
        """\
fig, ax = plt.subplots(figsize=(11, 3.5))
plotting.plot_activity_calendar(net.interactions, ax=ax)
plt.show()""",
    ),
]

NOTEBOOKS["05_your_own_data"] = [
    (
        "md",
        """\
# Your own data

Everything in the other notebooks runs on the sample. This notebook shows how to get each export
and where to point the paths. The cells run on the sample files as stand-ins: replace the paths
with yours.

## 1. Request the exports

| source | how | what you get |
|---|---|---|
| **LinkedIn** | Settings & Privacy → Data privacy → *Get a copy of your data* → "Download larger data archive" (connections, messages, invitations, endorsements, recommendations, profile). Arrives by email within a day. | `Basic_LinkedInDataExport_MM-DD-YYYY.zip` (or `Complete_...`) |
| **Gmail** | [takeout.google.com](https://takeout.google.com) → deselect all → *Mail* (all mail, MBOX) → export. Large accounts arrive split into several files. | `All mail Including Spam and Trash.mbox` |
| **Thunderbird** | Each folder is already an mbox file in your profile (`Mail/…/Inbox`, `Sent`); or use the ImportExportTools NG add-on → *Export folder*. | mbox files |
| **Apple Mail** | Select a mailbox → Mailbox → *Export Mailbox…* | a `.mbox` folder holding an `mbox` file |
| **Outlook** | Outlook cannot write mbox: export to `.pst`, then convert with `readpst -r` (Debian package `pst-utils`) into mbox or Maildir folders. | mbox / Maildir |
| **Google Contacts** | contacts.google.com → Export → *Google CSV* (or vCard). | `contacts.csv` / `contacts.vcf` |
| **Outlook contacts** | File → Open & Export → Import/Export → *Export to a file* → CSV (any language). Outlook.com: People → Manage → Export contacts. | `contacts.csv` |
| **iPhone / macOS contacts** | Contacts app → select all → File → Export → vCard. | `.vcf` |
| **Calendar** | Google Calendar → Settings → Import & export → Export; Outlook → Save calendar as `.ics`. | `.ics` |

## 2. What is read, what is kept

Mail readers parse **headers only** (From, To, Cc, Date, Message-ID, In-Reply-To, References,
Subject, Gmail labels and thread ids, list headers); bodies are never read into memory or
stored. Parsed archives are cached as Parquet files keyed by path, size and modification time
(`~/.cache/netanalytics`, or `$NETANALYTICS_CACHE`), so the second load is fast.
No file leaves your machine and no network connection is made.""",
    ),
    (
        "code",
        """\
import pandas as pd
import netanalytics as na

sample = na.datasets.sample_path()          # stand-in for your own folder of exports
LINKEDIN = sample / "linkedin"              # e.g. "Basic_LinkedInDataExport_10-02-2026.zip"
EMAIL = sorted((sample / "mail").glob("*.mbox"))   # e.g. ["All mail Including Spam and Trash.mbox"]
CONTACTS = [sample / "contacts" / "google.csv", sample / "contacts" / "contacts.vcf"]
CALENDAR = [sample / "calendar" / "calendar.ics"]

net = na.load(linkedin=LINKEDIN, email=EMAIL, contacts=CONTACTS, calendar=CALENDAR)
print(net.summary())""",
    ),
    (
        "md",
        """\
A folder holding all your exports works too: `na.load("~/exports")` sorts the files by what
they are. If your own addresses are not found automatically (no Sent label, several accounts),
give them: `na.load(..., me=["me@work.com", "me@gmail.com"])`.

## 3. Check who is who

Review the pairs identity resolution kept apart, and write corrections into an overrides CSV;
they are applied on every load, so they survive the next export.""",
    ),
    (
        "code",
        """\
net.merge_candidates().head(8)""",
    ),
    (
        "code",
        """\
import tempfile, pathlib
folder = pathlib.Path(tempfile.mkdtemp())
review = net.merge_candidates()
# keep the first pair apart for good (an empty list: write a correction for two people by hand)
alters = net.alters[net.alters["emails"].map(len) > 0]
cand = review.iloc[0] if len(review) else {"key_a": alters["emails"].iloc[0][0], "key_b": alters["emails"].iloc[1][0]}
(folder / "overrides.csv").write_text(f"key_a,key_b,decision\\n{cand['key_a']},{cand['key_b']},different\\n")
(folder / "annotations.csv").write_text("key,kind,tags,cadence_days\\nkind:client,,,45\\n")
net = na.load(linkedin=LINKEDIN, email=EMAIL, contacts=CONTACTS, calendar=CALENDAR,
              overrides=folder / "overrides.csv", annotations=folder / "annotations.csv")
net.identities[net.identities["key"].isin([cand["key_a"], cand["key_b"]])]""",
    ),
    (
        "md",
        """\
## 4. Share safely

`net.anonymize()` replaces names, addresses, URLs and subjects with consistent pseudonyms; the
structure and every metric stay the same, so a notebook run on the copy can be shared.""",
    ),
    (
        "code",
        """\
anon = net.anonymize(seed=7)
anon.people[["name", "emails", "company"]].head()""",
    ),
    (
        "md",
        """\
## 5. The report and reminders

From the command line:

```bash
netanalytics report --linkedin Basic_LinkedInDataExport.zip --email "All mail.mbox" \\
    --contacts contacts.csv --calendar calendar.ics --out report.html
netanalytics reminders --linkedin Basic_LinkedInDataExport.zip --email "All mail.mbox" \\
    --out reminders.csv --ics reminders.ics
```

or from Python:""",
    ),
    (
        "code",
        """\
from netanalytics.report import write_report
path = write_report(net, folder / "report.html")
print(path, f"{path.stat().st_size / 1e3:.0f} kB")""",
    ),
]


def build(run: bool) -> None:
    ROOT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [
            nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
            for kind, text in cells
        ]
        path = ROOT / f"{name}.ipynb"
        nbformat.write(nb, path)
        # the cells as `python3 tasks.py lint` wants them (imports sorted, ruff format)
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "--fix", "-q", str(path)], check=True)
        subprocess.run([*ruff, "format", "-q", str(path)], check=True)
        nb = nbformat.read(path, as_version=4)
        if run:
            NotebookClient(
                nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
            ).execute()
        path = ROOT / f"{name}.ipynb"
        nbformat.write(nb, path)
        print("wrote", path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-run", action="store_true", help="write the notebooks without executing them")
    build(run=not parser.parse_args().no_run)
