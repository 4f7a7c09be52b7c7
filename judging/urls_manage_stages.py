"""Staff pages of a round's stages and their criteria (in the ``manage``
namespace, at /manage/)."""

from django.urls import path

from judging.views import advancing, reminders, stages

urlpatterns = [
    path("rounds/<int:pk>/stages/", stages.round_stages, name="round_stages"),
    path("rounds/<int:pk>/stages/new/", stages.stage_create, name="stage_create"),
    path("stages/<int:pk>/", stages.stage_detail, name="stage_detail"),
    path("stages/<int:pk>/edit/", stages.stage_edit, name="stage_edit"),
    path("stages/<int:pk>/open/", stages.stage_open, name="stage_open"),
    path("stages/<int:pk>/close/", stages.stage_close, name="stage_close"),
    path("stages/<int:pk>/reopen/", stages.stage_reopen, name="stage_reopen"),
    path("stages/<int:pk>/finalise/", stages.stage_finalise, name="stage_finalise"),
    path(
        "stages/<int:pk>/selection/",
        advancing.stage_selection,
        name="stage_selection",
    ),
    path("stages/<int:pk>/remind/", reminders.stage_remind, name="stage_remind"),
    path(
        "stages/<int:pk>/criteria/new/",
        stages.criterion_create,
        name="criterion_create",
    ),
    path("criteria/<int:pk>/edit/", stages.criterion_edit, name="criterion_edit"),
    path("criteria/<int:pk>/delete/", stages.criterion_delete, name="criterion_delete"),
    path("criteria/<int:pk>/move/", stages.criterion_move, name="criterion_move"),
]
