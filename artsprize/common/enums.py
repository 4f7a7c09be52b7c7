from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditVerb(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    STATE_CHANGED = "state_changed", _("changed state")
    SCHEDULED = "scheduled", _("scheduled")
    UNSCHEDULED = "unscheduled", _("unscheduled")
    DEADLINE_CHANGED = "deadline_changed", _("changed the deadline")
    ROLE_GRANTED = "role_granted", _("granted a role")
    ROLE_REVOKED = "role_revoked", _("revoked a role")
    MFA_RESET = "mfa_reset", _("reset two-factor authentication")
    PICS_ACCEPTED = "pics_accepted", _("accepted the collection statement")
    ARTIST_REGISTERED = "artist_registered", _("registered an artist")
    CLAIM_INVITED = "claim_invited", _("invited an artist to claim their account")
    IDENTITY_REVEALED = "identity_revealed", _("revealed who made an entry")
    SCREENED = "screened", _("screened")
    SCREENING_RELEASED = "screening_released", _("released the screening results")
    ORIGINAL_OPENED = "original_opened", _("opened an original file")
    EXPORTED = "exported", _("exported")
    DATA_ARCHIVE_REQUESTED = (
        "data_archive_requested",
        _("asked for a copy of their data"),
    )
    ACCOUNT_DELETED = "account_deleted", _("deleted an account")
    FILES_PURGED = "files_purged", _("purged files")
    JUDGE_INVITED = "judge_invited", _("invited a judge")
    INVITATION_ACCEPTED = "invitation_accepted", _("accepted an invitation to judge")
    INVITATION_WITHDRAWN = "invitation_withdrawn", _("withdrew an invitation to judge")
    PANEL_JOINED = "panel_joined", _("added a judge to a panel")
    PANEL_LEFT = "panel_left", _("removed a judge from a panel")
    ASSIGNED = "assigned", _("assigned entries to judges")
    UNASSIGNED = "unassigned", _("removed an assignment")
    CONFLICT_DECLARED = "conflict_declared", _("declared a conflict of interest")
    CONFLICT_LIFTED = "conflict_lifted", _("lifted a conflict of interest")
    SCORE_SUBMITTED = "score_submitted", _("submitted a score")
    SELECTION_SAVED = "selection_saved", _("chose the entries advancing to a stage")
    SELECTION_CLOSED = "selection_closed", _("closed the choice of a stage's entries")
    DECISION_NOTED = "decision_noted", _("recorded a decision of the panel")
