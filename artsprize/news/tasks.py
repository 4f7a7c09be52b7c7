from celery import shared_task

from artsprize.common.outbox import OutboxTask
from artsprize.news.services import delete_cover_objects, publish_due_posts


@shared_task(name="news.publish_due_posts")
def publish_due_posts_task():
    publish_due_posts()


@shared_task(name="news.delete_cover_objects", base=OutboxTask)
def delete_cover_objects_task(*keys):
    delete_cover_objects(keys)
