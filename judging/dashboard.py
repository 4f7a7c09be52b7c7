"""Judging's section of a round's staff dashboard: the progress of the round's
stages. Submissions may not import judging, so the dashboard asks for it
through its extension point, ``submissions.signals.round_dashboard_sections``;
``JudgingConfig.ready`` connects the receiver below."""

from django.template.loader import render_to_string

from judging.selectors.progress import round_progress

TEMPLATE = "judging/manage/_round_dashboard_section.html"


def round_dashboard_section(sender, *, round_, request, **kwargs):
    """The section of the round's stages and their progress (HTML), or None for
    someone who may not manage judging. One query, whatever the number of
    stages, entries and judges."""
    if not request.user.has_perm("judging.manage_judging", round_):
        return None
    return render_to_string(
        TEMPLATE,
        {"round": round_, "stages": round_progress(round_.pk)},
        request=request,
    )
