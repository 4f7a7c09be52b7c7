from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import render
from rules.contrib.views import permission_required


@permission_required("accounts.manage_people", raise_exception=True)
def people(request):
    users = get_user_model().objects.order_by("email").prefetch_related("groups")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/manage/people.html", {"page": page})
