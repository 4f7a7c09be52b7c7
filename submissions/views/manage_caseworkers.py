"""Staff pages of caseworkers' filings: who filed how many entries for how many
artists in each round, and each caseworker's filings. A caseworker is a
partner's staff, so their own address is shown; the artists they filed for are
named by the public credit only, as on the staff page of an entry."""

from django.core.paginator import Paginator
from django.shortcuts import render

from artsprize.accounts.permissions import lookup, permission_required
from submissions.selectors.credits import public_credit
from submissions.selectors.filings import (
    caseworker_filings,
    caseworkers_and_filers,
    filings_of,
)

FILINGS_PER_PAGE = 50


@permission_required("submissions.manage_entries")
def caseworker_list(request):
    return render(
        request,
        "submissions/manage/caseworker_list.html",
        {"caseworkers": caseworker_filings()},
    )


@permission_required("submissions.manage_entries", obj=lookup(caseworkers_and_filers()))
def caseworker_detail(request, caseworker):
    page = Paginator(filings_of(caseworker), FILINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"entry": entry, "artist": public_credit(entry)} for entry in page]
    return render(
        request,
        "submissions/manage/caseworker_detail.html",
        {"caseworker": caseworker, "page": page, "rows": rows},
    )
