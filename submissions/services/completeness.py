"""What an entry needs before it may be submitted, as messages for the entrant:
its texts and consents, its files, its team, its eligibility and its guardian.
A submitted entry must stay complete when it is changed."""

from django.utils.translation import gettext_lazy as _

from artsprize.accounts.selectors import is_address_of
from artsprize.common.text import count_words
from submissions.enums import FileState, MediaKind
from submissions.services.eligibility import eligibility_problem, needs_guardian

GUARDIAN_IS_ENTRANT = _(
    "The guardian's e-mail address is one of the entrant's own. Give the address of "
    "a parent or guardian: they confirm the entry themselves."
)


def statement_problem(statement, category):
    """The statement is over the category's word limit: a draft keeps it, submitting
    refuses it."""
    words = count_words(statement)
    if words > category.statement_word_limit:
        return _(
            "The artist statement has %(count)s words; this category allows at most "
            "%(limit)s."
        ) % {"count": words, "limit": category.statement_word_limit}
    return None


def field_problems(entry):
    problems = []
    if not (entry.title_en.strip() or entry.title_zh_hant.strip()):
        problems.append(_("Give the work a title in English or Chinese."))
    if not entry.medium.strip():
        problems.append(_("Say what the medium of the work is."))
    if not entry.statement.strip():
        problems.append(_("Write an artist statement."))
    else:
        problem = statement_problem(entry.statement, entry.category)
        if problem:
            problems.append(problem)
    if not entry.consent_original:
        problems.append(_("Confirm that the work is the artist's own original work."))
    if not entry.consent_terms:
        problems.append(_("Accept the terms of the prize."))
    if entry.filed_by_id and not entry.consent_method:
        problems.append(_("Record how the artist gave their consent to the entry."))
    return problems


def _file_problems(entry):
    category = entry.category
    kinds = set(category.media_kinds)
    files = [f for f in entry.files.all() if f.state != FileState.REJECTED]
    problems = []
    typed = MediaKind.TEXT in kinds and entry.text_work.strip()
    if not typed and not any(f.kind in kinds for f in files):
        if MediaKind.TEXT in kinds:
            problems.append(_("Add at least one file of the work, or type it in."))
        else:
            problems.append(_("Add at least one file of the work."))
    for file in files:
        if file.kind not in kinds:
            problems.append(
                _("This category does not take files like “%(name)s”: remove it.")
                % {"name": file.original_name}
            )
    if len(files) > category.max_files:
        problems.append(
            _(
                "This category takes at most %(limit)s files per work; the entry has "
                "%(count)s."
            )
            % {"limit": category.max_files, "count": len(files)}
        )
    for file in files:
        if file.kind == MediaKind.IMAGE and not file.alt_text.strip():
            problems.append(
                _("Describe the image “%(name)s” for people who cannot see it.")
                % {"name": file.original_name}
            )
    return problems


def _team_problems(entry):
    members = list(entry.team_members.all())
    problems = []
    if members and not entry.category.allows_teams:
        problems.append(
            _("This category does not take team entries: remove the team members.")
        )
    for member in members:
        if not member.agreed:
            problems.append(
                _("Confirm that %(name)s agreed to the entry.") % {"name": member.name}
            )
        if member.is_minor and not (
            member.guardian_name.strip() and member.guardian_agreed
        ):
            problems.append(
                _(
                    "%(name)s is under 18: give their guardian's name and confirm "
                    "that the guardian agreed."
                )
                % {"name": member.name}
            )
    return problems


def guardian_problems(entry):
    if not needs_guardian(entry):
        return []
    problems = []
    if not entry.guardian_name.strip():
        problems.append(
            _("The entrant is under 18: give the name of a parent or guardian.")
        )
    if not entry.guardian_email.strip():
        problems.append(
            _(
                "The entrant is under 18: give the e-mail address of a parent or "
                "guardian, who will be asked to confirm."
            )
        )
    elif is_address_of(entry.entrant, entry.guardian_email):
        problems.append(GUARDIAN_IS_ENTRANT)
    return problems


def submission_problems(entry):
    """What keeps an entry from being submitted, as messages for the entrant.

    Files may still be uploading or processing: entries arrive in the last minutes
    and their uploads may finish within the round's grace window.
    """
    problems = field_problems(entry)
    problems += _file_problems(entry)
    problems += _team_problems(entry)
    eligibility = eligibility_problem(entry.round, entry.category, entry.entrant)
    if eligibility:
        problems.append(eligibility)
    problems += guardian_problems(entry)
    return problems
