from django.urls import path

from judging.views import assignments, panels

urlpatterns = [
    path("stages/<int:pk>/panel/", panels.stage_panel, name="stage_panel"),
    path(
        "stages/<int:pk>/panel/<int:judge_pk>/chair/",
        panels.panel_chair,
        name="stage_panel_chair",
    ),
    path(
        "stages/<int:pk>/panel/<int:judge_pk>/remove/",
        panels.panel_remove,
        name="stage_panel_remove",
    ),
    path(
        "stages/<int:pk>/assignments/",
        assignments.stage_assignments,
        name="stage_assignments",
    ),
    path(
        "stages/<int:pk>/assignments/make/",
        assignments.assignments_make,
        name="stage_assignments_make",
    ),
    path(
        "stages/<int:pk>/assignments/assign/",
        assignments.assignment_assign,
        name="stage_assignment_assign",
    ),
    path(
        "stages/<int:pk>/assignments/<int:assignment_pk>/remove/",
        assignments.assignment_remove,
        name="stage_assignment_remove",
    ),
    path(
        "stages/<int:pk>/conflicts/",
        assignments.stage_conflicts,
        name="stage_conflicts",
    ),
    path(
        "stages/<int:pk>/conflicts/<int:conflict_pk>/lift/",
        assignments.conflict_lift,
        name="stage_conflict_lift",
    ),
]
