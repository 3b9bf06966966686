"""Readers: one module per source. Each returns canonical frames (see ``netanalytics.schema``)
and a :class:`LoadReport`."""

from netanalytics.io.calllog import read_call_log
from netanalytics.io.contacts import read_contacts_csv
from netanalytics.io.crm import read_crm
from netanalytics.io.email import read_email, read_eml, read_maildir, read_mbox
from netanalytics.io.ics import read_ics
from netanalytics.io.linkedin import LinkedInExport, read_linkedin
from netanalytics.io.monica import read_monica
from netanalytics.io.outlook import read_msg, read_pst, read_pst_contacts
from netanalytics.io.report import FileReport, LoadReport
from netanalytics.io.slack import read_slack
from netanalytics.io.telegram import read_telegram
from netanalytics.io.vcard import read_vcard
from netanalytics.io.whatsapp import read_whatsapp

__all__ = [
    "read_linkedin",
    "LinkedInExport",
    "read_contacts_csv",
    "read_vcard",
    "read_ics",
    "read_whatsapp",
    "read_telegram",
    "read_slack",
    "read_call_log",
    "read_monica",
    "read_crm",
    "read_email",
    "read_mbox",
    "read_maildir",
    "read_eml",
    "read_pst",
    "read_pst_contacts",
    "read_msg",
    "FileReport",
    "LoadReport",
]
