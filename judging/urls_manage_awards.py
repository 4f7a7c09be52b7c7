"""Staff pages of a round's awards and its decision (in the ``manage``
namespace, at /manage/)."""

from django.urls import path

from judging.views import awards

urlpatterns = [
    path("rounds/<int:pk>/awards/", awards.round_awards, name="round_awards"),
    path(
        "rounds/<int:pk>/awards/new/",
        awards.award_type_create,
        name="award_type_create",
    ),
    path("rounds/<int:pk>/awards/decide/", awards.round_decide, name="round_decide"),
    path("award-types/<int:pk>/edit/", awards.award_type_edit, name="award_type_edit"),
    path(
        "award-types/<int:pk>/delete/",
        awards.award_type_delete,
        name="award_type_delete",
    ),
    path("award-types/<int:pk>/move/", awards.award_type_move, name="award_type_move"),
    path("award-types/<int:pk>/give/", awards.award_give, name="award_give"),
    path("awards/<int:pk>/citation/", awards.award_citation, name="award_citation"),
    path("awards/<int:pk>/take-back/", awards.award_take_back, name="award_take_back"),
]
