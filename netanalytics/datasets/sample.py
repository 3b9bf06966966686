"""The bundled sample: the synthetic world of seed 0, loaded as a Network."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["load_sample", "sample_path"]


def _generator_digest() -> str:
    """Hash of the generator's source: a changed generator gets a fresh cached sample."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _cache_root() -> Path:
    return Path(os.environ.get("NETANALYTICS_CACHE", Path.home() / ".cache" / "netanalytics"))


def sample_path() -> Path:
    """Folder holding the sample world's export files (generated on first use).

    The sample is not shipped as files inside the package: it is regenerated, byte for byte,
    from the generator (``synthesize(seed=0)``) into the cache folder
    (``$NETANALYTICS_CACHE`` or ``~/.cache/netanalytics``). A source checkout keeps the same
    files in ``sample_data/`` and a test checks that both are identical.

    Returns
    -------
    pathlib.Path
        With subfolders ``linkedin/``, ``mail/``, ``contacts/``, ``calendar/``, ``chats/``
        (WhatsApp exports and a Slack export zip), ``calls/`` and ``ground_truth/``.

    Examples
    --------
    >>> sorted(p.name for p in sample_path().iterdir() if not p.name.startswith('.'))
    ['calendar', 'calls', 'chats', 'contacts', 'ground_truth', 'linkedin', 'mail']
    """
    from netanalytics.datasets._synthesize import synthesize

    target = _cache_root() / f"sample-{_generator_digest()}"
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="sample-", dir=target.parent))
    synthesize(tmp, seed=0)
    (tmp / ".complete").touch()
    try:
        tmp.rename(target)
    except OSError:  # another process finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_sample(*, cache: bool = True, progress: bool = False):
    """Load the synthetic sample network (about 300 people over four years).

    Returns
    -------
    Network
        ``people`` (≈ 300 rows), ``interactions`` (several thousand rows of email, LinkedIn,
        meeting, WhatsApp, Slack, call and coffee contacts), ``identities``, LinkedIn extras and
        the load report. The planted truth behind it is in ``sample_path() / "ground_truth"``.

    Examples
    --------
    >>> import netanalytics as na
    >>> net = na.datasets.load_sample()
    >>> net.people.loc["me", "is_me"]
    np.True_
    """
    from netanalytics.loader import load

    root = sample_path()
    return load(
        linkedin=root / "linkedin",
        email=sorted((root / "mail").glob("*.mbox")),
        contacts=sorted(p for p in (root / "contacts").iterdir() if p.suffix in (".csv", ".vcf")),
        calendar=sorted((root / "calendar").glob("*.ics")),
        chats=root / "chats",
        calls=root / "calls" / "interactions.csv",
        tz="America/New_York",  # the owner's zone: their WhatsApp export writes local times
        cache=cache,
        progress=progress,
    )
