"""Publishing a decided round's results: the results post in the news
section, the public copies of the works shown, the public gallery, the round
published and every entrant told (``submissions.services.results``).

Staff review the publication first (``judging.selectors.publication``: the
post and the gallery exactly as the public will get them, with what blocks
them) and write the post's texts; ``request_publication`` then sends one task,
``judging.publish_round``, which does every step once whatever happens:
a double click finds the request made, and a retried task finds each step
done (one post, one set of public copies, one mail per entrant).

A work its artist withdraws from the website after publication leaves the
gallery at once (the gallery reads the works afresh) and the post within a
minute (``refresh_publication``, sent when ``submissions`` says a public use
changed).
"""

import re

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.exports import FORMATS, Export
from artsprize.common.outbox import enqueue
from artsprize.news.models import NewsPost
from artsprize.news.services import create_post, publish_post_now, update_post
from judging.errors import JudgingError
from judging.models import Publication, Stage
from judging.selectors.publication import publication_problems, results_outline
from submissions.enums import RoundState
from submissions.public import make_public
from submissions.services.results import publish_results

ROUND = Stage._meta.get_field("round").related_model
TEXT_FIELDS = (
    "title_en",
    "title_zh_hant",
    "summary_en",
    "summary_zh_hant",
    "intro_en",
    "intro_zh_hant",
)
COVER_ALT_LENGTH = NewsPost._meta.get_field("cover_alt_en").max_length
NOT_DECIDED = _("The results are published once the round's awards are decided.")
BLOCKED = _("The publication is not ready:")
# Markdown's own characters, escaped in what entrants and staff typed.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def publication_for(round_):
    """The round's publication, made (empty) on first asking."""
    publication, _made = Publication.objects.get_or_create(round_id=round_.pk)
    return publication


def save_texts(publication, *, data, by):
    """Staff's texts of the results post. Audited; refused once published."""
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.published_at is not None:
            raise JudgingError(
                _("The results are published: correct the post in the news section."),
                code="published",
            )
        changed = [
            name
            for name in TEXT_FIELDS
            if name in data and getattr(locked, name) != data[name].strip()
        ]
        for name in changed:
            setattr(locked, name, data[name].strip())
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            record_event(
                actor=by, verb=AuditVerb.UPDATED, obj=locked, data={"fields": changed}
            )
    for name in changed:
        setattr(publication, name, getattr(locked, name))
    return changed


def _plain(text):
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


def _work_line(work, language):
    with translation.override(language):
        title = work.title or _("Untitled")
        credit = str(work.credit)
    return f"*{_plain(title)}*, {_plain(credit)}" if credit else f"*{_plain(title)}*"


def _suffix(language):
    return "zh_hant" if language == "zh-hant" else "en"


def post_body(outline, publication, language, *, gallery_url):
    """The results post's Markdown in ``language``: the staff's introduction,
    then each category's awards with the works and citations and its
    shortlist, the special awards, and the way to the gallery. What people
    typed is escaped so that it stays text."""
    suffix = _suffix(language)
    lines = []
    intro = getattr(publication, f"intro_{suffix}").strip()
    if intro:
        lines += [intro, ""]
    with translation.override(language):
        for category in outline.categories:
            # News makes "#" the post's second level (its title is the first).
            lines += [f"# {_plain(category.category.name)}", ""]
            for group in category.awards:
                lines += _award_lines(group, language)
            if category.shortlisted or category.not_shown:
                shortlisted = _("Shortlisted")
                lines.append(f"**{shortlisted}**")
                lines.append("")
                for place in category.shortlisted:
                    lines.append(f"- {_work_line(place.work, language)}")
                if category.not_shown:
                    lines.append(
                        "- "
                        + _plain(
                            _(
                                "and %(count)s more, whose artists asked that their "
                                "works are not shown online"
                            )
                            % {"count": category.not_shown}
                        )
                    )
                lines.append("")
        if outline.special:
            special = _("Special awards")
            lines += [f"# {special}", ""]
            for group in outline.special:
                lines += _award_lines(group, language)
        link = _("See the works in the gallery")
        lines.append(f"[{link}]({gallery_url})")
    return "\n".join(lines).strip() + "\n"


def _award_lines(group, language):
    suffix = _suffix(language)
    name = getattr(group.award_type, f"name_{suffix}") or group.award_type.name
    prize = getattr(group.award_type, f"prize_{suffix}")
    lines = [f"## {_plain(name)}", ""]
    if prize:
        lines += [_plain(prize), ""]
    for place in group.places:
        awarded = next(
            item for item in place.awards if item.award_type.pk == group.award_type.pk
        )
        if place.work.shown:
            lines.append(_work_line(place.work, language))
        else:
            lines.append(
                _plain(_("A work whose artist asked that it is not shown online."))
            )
        citation = getattr(awarded, f"citation_{suffix}").strip()
        if citation:
            lines += ["", f"> {_plain(citation)}"]
        lines.append("")
    return lines


def gallery_url(round_):
    return settings.SITE_URL.rstrip("/") + reverse("round_gallery", args=[round_.pk])


def cover_place(outline):
    """The work on the post's cover: the first awarded work shown with an
    image, or None."""
    for place in outline.gallery():
        if place.awards and place.work.files:
            return place
    return None


def post_data(outline, publication):
    """What news is handed for the results post: the staff's texts, the
    bodies in both languages, and the cover (the key of the public copy it is
    made of, or its removal when no work can be on it)."""
    data = {
        name: getattr(publication, name)
        for name in ("title_en", "title_zh_hant", "summary_en", "summary_zh_hant")
    }
    url = gallery_url(outline.round)
    data["body_en"] = post_body(outline, publication, "en", gallery_url=url)
    data["body_zh_hant"] = post_body(outline, publication, "zh-hant", gallery_url=url)
    place = cover_place(outline)
    if place is not None:
        first = place.work.files[0]
        data["cover_key"] = first.largest.key
        for language, suffix in (("en", "en"), ("zh-hant", "zh_hant")):
            with translation.override(language):
                # An artist's description may be longer than a cover's.
                data[f"cover_alt_{suffix}"] = Truncator(str(first.description)).chars(
                    COVER_ALT_LENGTH
                )
    return data, place


def request_publication(round_, *, by, now=None):
    """Ask for the round's results to be published: refused unless the round
    is decided and nothing blocks the publication; asking again changes
    nothing. Returns True when asked now."""
    now = now or timezone.now()
    with transaction.atomic():
        locked_round = ROUND.objects.select_for_update().get(pk=round_.pk)
        publication = publication_for(locked_round)
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.requested_at is not None:
            return False
        if locked_round.state != RoundState.DECIDED:
            raise JudgingError(NOT_DECIDED, code="not_decided")
        problems = publication_problems(
            results_outline(locked_round, preview=True), publication
        )
        if problems:
            raise JudgingError(BLOCKED, code="not_ready", problems=problems)
        publication.requested_at = now
        publication.requested_by = by
        publication.save(update_fields=["requested_at", "requested_by", "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=publication,
            data={"fields": ["requested_at"]},
        )
        enqueue("judging.publish_round", locked_round.pk)
    return True


def publish_round(round_id, *, now=None):
    """The task's work: each step once. Returns True when the results were
    published by this call."""
    now = now or timezone.now()
    round_ = ROUND.objects.get(pk=round_id)
    publication = Publication.objects.get(round_id=round_id)
    if publication.requested_at is None or publication.published_at is not None:
        return False
    by = publication.requested_by
    outline = results_outline(round_)
    make_public([place.work.id for place in outline.gallery()])
    outline = results_outline(round_)
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.published_at is not None:
            return False
        if locked.post is None:
            data, cover = post_data(outline, locked)
            locked.post = create_post(data=data, by=by)
            locked.cover_entry_id = cover.work.id if cover else None
            locked.save(update_fields=["post", "cover_entry_id", "updated_at"])
        publish_post_now(locked.post, by=by, now=now)
        locked.gallery_opened_at = locked.gallery_opened_at or now
        locked.published_at = now
        locked.save(update_fields=["gallery_opened_at", "published_at", "updated_at"])
        post_url = settings.SITE_URL.rstrip("/") + reverse(
            "news:detail", args=[locked.post.slug]
        )
        publish_results(
            round_, outcomes=outline.outcomes(), results_url=post_url, by=by, now=now
        )
    return True


def refresh_publication(round_id):
    """After a work's public use changed: the results post says again what
    the works now allow (a correction, audited by news) — the gallery reads
    them afresh on its own."""
    publication = (
        Publication.objects.select_related("round", "post")
        .filter(round_id=round_id, published_at__isnull=False)
        .first()
    )
    if publication is None or publication.post is None:
        return []
    outline = results_outline(publication.round)
    # A work its artist agreed to show again gets its public copies back.
    make_public([place.work.id for place in outline.gallery()])
    outline = results_outline(publication.round)
    data, cover = post_data(outline, publication)
    texts = {key: data[key] for key in ("body_en", "body_zh_hant")}
    cover_id = cover.work.id if cover else None
    if cover_id != publication.cover_entry_id:
        # The work on the cover left public view: another takes its place, or
        # none.
        if cover is None:
            texts["remove_cover"] = True
        else:
            for key in ("cover_key", "cover_alt_en", "cover_alt_zh_hant"):
                texts[key] = data[key]
        publication.cover_entry_id = cover_id
        publication.save(update_fields=["cover_entry_id", "updated_at"])
    return update_post(
        publication.post,
        data=texts,
        by=None,
        note=str(_("A work's public use changed.")),
    )


def follow_public_use(sender, *, round_id, **kwargs):
    """``submissions.signals.public_use_changed``: the results post of the
    work's round, if published, follows (a task, sent at once)."""
    if Publication.objects.filter(
        round_id=round_id, published_at__isnull=False
    ).exists():
        enqueue("judging.refresh_publication", round_id)


RESULT_COLUMNS = (
    _("Reference"),
    _("Category (English)"),
    _("Category (Chinese)"),
    _("Title (English)"),
    _("Title (Chinese)"),
    _("Credit as published"),
    _("Team"),
    _("Result"),
    _("Awards (English)"),
    _("Awards (Chinese)"),
    _("Citations (English)"),
    _("Citations (Chinese)"),
    _("Shown on the website"),
)


def _result_rows(outline):
    yes, no = str(_("yes")), str(_("no"))
    rows = []
    for place in outline.places.values():
        work = place.work
        with translation.override("en"):
            credit = str(work.credit)
        rows.append(
            (
                work.reference,
                work.category_name_en,
                work.category_name_zh_hant,
                work.title_en,
                work.title_zh_hant,
                credit if work.shown else "",
                "; ".join(
                    f"{member.name} ({member.role})" if member.role else member.name
                    for member in work.team
                )
                if work.shown
                else "",
                str(_("Awarded") if place.awards else _("Shortlisted")),
                "; ".join(item.award_type.name_en for item in place.awards),
                "; ".join(item.award_type.name_zh_hant for item in place.awards),
                "\n".join(item.citation_en for item in place.awards),
                "\n".join(item.citation_zh_hant for item in place.awards),
                yes if work.shown else no,
            )
        )
    rows.sort(key=lambda row: (len(row[0]), row[0]))
    return rows


def export_results(round_, *, by, file_format):
    """A round's results for staff, as published: each awarded and
    shortlisted work with the credit printed with it (empty for a work not
    shown), its awards and citations; audited. Returns an ``Export``."""
    if file_format not in FORMATS:
        raise JudgingError(_("There is no such export."), code="unknown_export")
    outline = results_outline(round_)
    rows = _result_rows(outline)
    record_event(
        actor=by,
        verb=AuditVerb.EXPORTED,
        obj=round_,
        data={"kind": "results", "format": file_format, "rows": len(rows)},
    )
    return Export(
        file_format=file_format,
        columns=tuple(str(column) for column in RESULT_COLUMNS),
        chunks=iter([rows]),
        filename=f"HRAP-{round_.year}-results.{file_format}",
        sheet=str(_("Results")),
    )
