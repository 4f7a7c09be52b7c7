"""The staff's review of a round's publication, at
/manage/rounds/<id>/publication/: the results post and the gallery exactly as
the public will get them, in both languages, what blocks them, the post's
texts, and the one action that publishes (``judging.services.publishing``)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.exports import export_response
from artsprize.common.pages import error_message, posted
from artsprize.news.markdown import render_markdown
from judging.errors import JudgingError
from judging.forms_stages import PublicationTextsForm
from judging.models import Stage
from judging.selectors.publication import publication_problems, results_outline
from judging.services.publishing import (
    TEXT_FIELDS,
    export_results,
    gallery_url,
    post_body,
    publication_for,
    request_publication,
    save_texts,
)
from submissions.enums import RoundState

ROUND = Stage._meta.get_field("round").related_model

of_round = permission_required(
    "judging.publish_results", obj=lookup(ROUND.objects.all()), hidden=False
)


def _render(request, round_, publication, form, *, status=200):
    outline = results_outline(round_, preview=True)
    url = gallery_url(round_)
    languages = [
        (
            code,
            label,
            getattr(publication, f"title_{suffix}"),
            getattr(publication, f"summary_{suffix}"),
            render_markdown(post_body(outline, publication, code, gallery_url=url)),
        )
        for code, label, suffix in (
            ("en", "English", "en"),
            ("zh-hant", "繁體中文", "zh_hant"),
        )
    ]
    return render(
        request,
        "judging/manage/publication.html",
        {
            "round": round_,
            "publication": publication,
            "form": form,
            "problems": publication_problems(outline, publication),
            "languages": languages,
            "places": outline.gallery(),
            "is_decided": round_.state == RoundState.DECIDED,
            "is_published": publication.published_at is not None,
        },
        status=status,
    )


@of_round
def round_publication(request, round_):
    publication = publication_for(round_)
    initial = {name: getattr(publication, name) for name in TEXT_FIELDS}
    form = PublicationTextsForm(posted(request), initial=initial)
    if request.method != "POST":
        return _render(request, round_, publication, form)
    if not form.is_valid():
        return _render(request, round_, publication, form, status=400)
    try:
        changed = save_texts(publication, data=form.cleaned_data, by=request.user)
    except JudgingError as error:
        messages.error(request, error_message(error))
        return _render(request, round_, publication, form, status=409)
    if changed:
        messages.success(request, _("The texts of the results post are saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("manage:round_publication", pk=round_.pk)


@of_round
def round_publish(request, round_):
    if request.method != "POST":
        return redirect("manage:round_publication", pk=round_.pk)
    try:
        asked = request_publication(round_, by=request.user)
    except JudgingError as error:
        messages.error(request, error_message(error))
        return redirect("manage:round_publication", pk=round_.pk)
    if asked:
        messages.success(
            request,
            _(
                "Publishing has started: the post, the gallery and the mails to "
                "entrants follow within a minute."
            ),
        )
    else:
        messages.info(request, _("Publishing was already asked for."))
    return redirect("manage:round_publication", pk=round_.pk)


@of_round
def round_results_export(request, round_, file_format):
    """The round's published results as ``file_format`` (CSV or XLSX)."""
    if round_.state != RoundState.PUBLISHED:
        raise Http404
    try:
        export = export_results(round_, by=request.user, file_format=file_format)
    except JudgingError as error:
        raise Http404 from error
    return export_response(export)
