from django.shortcuts import render
from django.utils import timezone

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import public_page
from submissions.enums import RoundState
from submissions.models import Round
from submissions.rules import round_takes_entries
from submissions.selectors import with_categories


@public_page
@permission_required(
    "submissions.view_round",
    obj=lookup(with_categories(Round.objects.all())),
    public=True,
)
def round_detail(request, round_):
    """The call for entries: theme, categories, rules and the deadline."""
    now = timezone.now()
    return render(
        request,
        "submissions/round_detail.html",
        {
            "round": round_,
            "categories": round_.categories.all(),
            "now": now,
            "is_open": round_takes_entries(request.user, round_, now=now),
            "is_draft": round_.state == RoundState.DRAFT,
        },
    )
