"""The name printed with a work in public: on the receipt, in its mails, on the
staff pages before anyone reveals who made it, in exports."""

from django.core.exceptions import ObjectDoesNotExist

from submissions.enums import Credit


def credit_line(credit, *, legal_name, credit_name):
    """The name printed with a work in public, by the entry's credit choice: the
    legal name, the credit name (the legal name when there is none) or
    "Anonymous" (lazy, so that a mail built now reads it in its recipient's
    language). The one rule for it: ``public_credit`` reads it of an entry, the
    staff exports of rows of values."""
    if credit == Credit.ANONYMOUS:
        return Credit.ANONYMOUS.label
    if credit == Credit.LEGAL_NAME:
        return legal_name or ""
    return credit_name or legal_name or ""


def public_credit(entry):
    """The public credit of ``entry`` (``credit_line``); empty for an entrant
    without a profile, unless the entry is anonymous. Fetch the entry with
    ``entrant__profile`` to read it without a query."""
    if entry.credit == Credit.ANONYMOUS:
        return credit_line(entry.credit, legal_name="", credit_name="")
    try:
        profile = entry.entrant.profile
    except ObjectDoesNotExist:
        return ""
    return credit_line(
        entry.credit, legal_name=profile.legal_name, credit_name=profile.credit_name
    )
