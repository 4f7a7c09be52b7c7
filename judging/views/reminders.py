"""Staff remind the judges of an open stage who still have works to score."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.common.pages import error_message
from judging.errors import StageError
from judging.models import Stage
from judging.services.reminders import remind_judges


@permission_required(
    "judging.manage_judging", obj=lookup(Stage.objects.all()), hidden=False
)
def stage_remind(request, stage):
    """POST: mail the judges with work left. A GET (a reloaded URL) goes back
    to the stage's page; a second click within minutes is told calmly when the
    last reminder left."""
    if request.method != "POST":
        return redirect("manage:stage_detail", pk=stage.pk)
    try:
        reminded = remind_judges(stage, by=request.user)
    except StageError as error:
        if error.code == "too_soon":
            messages.info(request, error_message(error))
        else:
            messages.error(request, error_message(error))
        return redirect("manage:stage_detail", pk=stage.pk)
    if reminded:
        messages.success(
            request,
            ngettext(
                "%(count)s judge with works left to score was reminded.",
                "%(count)s judges with works left to score were reminded.",
                reminded,
            )
            % {"count": reminded},
        )
    else:
        messages.info(
            request, _("No judge has works left to score: nobody was reminded.")
        )
    return redirect("manage:stage_detail", pk=stage.pk)
