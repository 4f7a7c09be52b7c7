"""The name printed with a work in public: on the receipt, in its mails, on the
staff pages before anyone reveals who made it, in exports."""

from django.core.exceptions import ObjectDoesNotExist

from submissions.enums import Credit


def public_credit(entry):
    """The name printed with the work in public, as the entry's credit choice
    gives it: the legal name, the credit name (the legal name when there is none)
    or "Anonymous". Fetch the entry with ``entrant__profile`` to read it without
    a query."""
    if entry.credit == Credit.ANONYMOUS:
        return Credit.ANONYMOUS.label
    try:
        profile = entry.entrant.profile
    except ObjectDoesNotExist:
        return ""
    if entry.credit == Credit.LEGAL_NAME:
        return profile.legal_name
    return profile.credit_name or profile.legal_name
