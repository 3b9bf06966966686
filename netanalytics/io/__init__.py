"""Readers: one module per source. Each returns canonical frames (see ``netanalytics.schema``)
and a :class:`LoadReport`."""

from netanalytics.io.report import FileReport, LoadReport

__all__ = ["FileReport", "LoadReport"]
# Readers register below, one import line and one __all__ line per module.
from netanalytics.io.email import read_email, read_eml, read_maildir, read_mbox

__all__ += ["read_email", "read_eml", "read_maildir", "read_mbox"]
from netanalytics.io.linkedin import LinkedInExport, read_linkedin  # noqa: E402

__all__ += ["LinkedInExport", "read_linkedin"]
from netanalytics.io.contacts import read_contacts_csv  # noqa: E402
from netanalytics.io.ics import read_ics  # noqa: E402
from netanalytics.io.vcard import read_vcard  # noqa: E402

__all__ += ["read_contacts_csv", "read_ics", "read_vcard"]
