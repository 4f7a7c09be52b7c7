import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "artsprize.settings.local")

# Each reminder goes once per draft, so a tick every quarter of an hour only decides
# how soon after its moment (48 or 3 hours before closing) a reminder leaves.
REMINDER_SECONDS = 15 * 60
# Abandoned uploads are cleaned up after a day; an hourly sweep is soon enough.
CLEAN_UP_SECONDS = 60 * 60
# How soon after a grace window ends its unfinished uploads are dropped.
GRACE_SECONDS = 5 * 60

app = Celery("artsprize")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_broker_folders(sender, **kwargs):
    """The filesystem broker of the embedded default needs its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@app.on_after_finalize.connect
def add_periodic_tasks(sender, **kwargs):
    from django.conf import settings

    schedule = [
        (
            settings.ROUND_CLOCK_SECONDS,
            "submissions.open_and_close_due_rounds",
            "open and close rounds at their times",
        ),
        (
            settings.ROUND_CLOCK_SECONDS,
            "judging.open_and_close_due_stages",
            "open and close judging stages at their times",
        ),
        (
            settings.ROUND_CLOCK_SECONDS,
            "news.publish_due_posts",
            "publish scheduled news posts at their times",
        ),
        (
            settings.ROUND_CLOCK_SECONDS,
            "judging.remind_judges_before_closing",
            "remind judges of unscored work 48 and 6 hours before a stage closes",
        ),
        (
            REMINDER_SECONDS,
            "submissions.remind_unsubmitted_drafts",
            "remind entrants of unsubmitted drafts before closing",
        ),
        (
            GRACE_SECONDS,
            "submissions.drop_uploads_after_grace",
            "drop uploads unfinished when the grace window ends",
        ),
        (
            settings.OUTBOX_SWEEP_SECONDS,
            "common.resend_lost_messages",
            "send again the tasks and mails the broker lost",
        ),
        (
            settings.PROCESSING_SWEEP_SECONDS,
            "submissions.requeue_stuck_files",
            "queue again files whose processing was lost",
        ),
        (
            CLEAN_UP_SECONDS,
            "submissions.clean_up_uploads",
            "abort abandoned uploads and delete unreferenced originals",
        ),
        (
            CLEAN_UP_SECONDS,
            "submissions.delete_expired_data_archives",
            "delete copies of people's data when they expire",
        ),
        (
            CLEAN_UP_SECONDS,
            "submissions.purge_files_after_retention",
            "delete the files of entries not shortlisted after a round's retention",
        ),
    ]
    for seconds, task, name in schedule:
        sender.add_periodic_task(
            seconds,
            sender.signature(task),
            name=name,
            # Ticks queued while no worker ran are stale: the next one does their
            # work.
            expires=max(seconds, 10),
        )
