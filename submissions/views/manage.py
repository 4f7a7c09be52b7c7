from django.shortcuts import render
from rules.contrib.views import permission_required

from submissions.selectors import rounds_for_staff


@permission_required("submissions.manage_rounds", raise_exception=True)
def round_list(request):
    return render(
        request, "submissions/manage/round_list.html", {"rounds": rounds_for_staff()}
    )
