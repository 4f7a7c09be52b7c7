from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from submissions.enums import RoundState
from submissions.models import Round
from submissions.selectors import _with_categories


def round_detail(request, pk):
    """The call for entries: theme, categories, rules and the deadline."""
    round_ = get_object_or_404(_with_categories(Round.objects.all()), pk=pk)
    if not request.user.has_perm("submissions.view_round", round_):
        raise Http404
    now = timezone.now()
    return render(
        request,
        "submissions/round_detail.html",
        {
            "round": round_,
            "categories": round_.categories.all(),
            "now": now,
            "is_open": round_.state == RoundState.OPEN and round_.closes_at > now,
            "is_draft": round_.state == RoundState.DRAFT,
        },
    )
