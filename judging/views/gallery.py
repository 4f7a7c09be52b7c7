"""The public gallery of a round's results, at /rounds/<id>/gallery/: the
awarded and shortlisted works whose artists agreed to the website, each with
its responsive image, its description for people who cannot see it, its
title, the name its artist chose and its awards; a lightbox to look at each
one larger, by mouse, keyboard or screen reader (``static/js/gallery.js``;
without script, each work's largest image is a link)."""

from django.shortcuts import render

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import public_page
from judging.models import Stage
from judging.selectors.publication import results_outline

ROUND = Stage._meta.get_field("round").related_model


@public_page
@permission_required(
    "judging.view_gallery",
    obj=lookup(ROUND.objects.select_related("publication")),
    public=True,
)
def round_gallery(request, round_):
    outline = results_outline(round_)
    post = round_.publication.post
    return render(
        request,
        "judging/public/gallery.html",
        {"round": round_, "places": outline.gallery(), "post": post},
    )
