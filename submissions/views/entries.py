from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from submissions.models import Entry


@login_required
def my_entries(request):
    entries = (
        Entry.objects.filter(entrant=request.user)
        .select_related("round", "category")
        .prefetch_related("files")
    )
    return render(request, "submissions/entries/my_entries.html", {"entries": entries})
