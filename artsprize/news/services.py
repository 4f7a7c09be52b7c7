"""The news section's writes: making and changing posts, their cover, and the
post state machine (draft, scheduled, published).

This module is also how other apps hand news a post (judging publishing the
results): they call ``create_post(data=..., by=...)`` with plain values and then
``publish_post_now`` or ``schedule_post``; docs/NEWS.md describes the values.
"""

import logging
import secrets
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from artsprize.common.transitions import StateMachine, refusal
from artsprize.news import images
from artsprize.news.enums import PostState
from artsprize.news.errors import CoverError, NewsError
from artsprize.news.models import NewsPost

logger = logging.getLogger(__name__)

# The texts of a post, as ``data`` names them.
TEXT_FIELDS = (
    "title_en",
    "title_zh_hant",
    "summary_en",
    "summary_zh_hant",
    "body_en",
    "body_zh_hant",
    "cover_alt_en",
    "cover_alt_zh_hant",
)
SLUG_LENGTH = 80
# The public storage's folder of covers; each object's name is random.
COVER_FOLDER = "news"

TRANSITIONS = {
    PostState.DRAFT: {PostState.SCHEDULED, PostState.PUBLISHED},
    PostState.SCHEDULED: {PostState.DRAFT, PostState.PUBLISHED},
    PostState.PUBLISHED: {PostState.DRAFT},
}

POSTS = StateMachine(
    model=NewsPost,
    states=PostState,
    transitions=TRANSITIONS,
    refuse=refusal(
        NewsError,
        _("A post cannot go from “%(old)s” to “%(new)s”."),
        code="not_allowed",
    ),
)


def public_storage():
    return storages["public"]


# The state machine -----------------------------------------------------------------


def post_problems(post):
    """What keeps ``post`` from being published or scheduled, as sentences."""
    problems = []
    if not (post.title_en or post.title_zh_hant):
        problems.append(_("The post has no title."))
    if not (post.body_en or post.body_zh_hant):
        problems.append(_("The post has no text."))
    if post.cover_key and not (post.cover_alt_en or post.cover_alt_zh_hant):
        problems.append(_("The cover has no description."))
    return problems


def set_post_state(
    post, new_state, *, by, reason="", publish_at=None, now=None, only_if=None
):
    """Move ``post`` to ``new_state``; the one place where a post's state changes.

    Publishing records ``published_at`` (the first publication's moment is
    kept through a later unpublishing); scheduling needs ``publish_at`` in the
    future. ``by`` is the staff member, or None when the schedule (beat) acts.
    """
    now = now or timezone.now()
    new_state = PostState(new_state)

    def changes(move):
        if move.new in (PostState.PUBLISHED, PostState.SCHEDULED):
            problems = post_problems(move.obj)
            if problems:
                raise NewsError(
                    _("The post is not ready to be published."),
                    code="incomplete",
                    problems=problems,
                )
        if move.new == PostState.PUBLISHED:
            return {"published_at": move.obj.published_at or now, "publish_at": None}
        if move.new == PostState.SCHEDULED:
            if publish_at is None or publish_at <= now:
                raise NewsError(
                    _("Choose a moment in the future to publish the post."),
                    code="publish_at_past",
                )
            return {"publish_at": publish_at}
        return {"publish_at": None}

    verb = None
    if new_state == PostState.SCHEDULED:
        verb = AuditVerb.SCHEDULED
    elif new_state == PostState.DRAFT and post.state == PostState.SCHEDULED:
        verb = AuditVerb.UNSCHEDULED
    POSTS.move(
        post,
        new_state,
        by=by,
        reason=reason,
        changes=changes,
        data=lambda move: (
            {"publish_at": publish_at.isoformat()}
            if move.new == PostState.SCHEDULED
            else None
        ),
        verb=verb,
        only_if=only_if,
    )
    return post


def publish_post_now(post, *, by, now=None):
    """Publish ``post`` at once (a draft, or a scheduled post before its time)."""
    return set_post_state(post, PostState.PUBLISHED, by=by, now=now)


def schedule_post(post, *, publish_at, by, now=None):
    """Have beat publish ``post`` at ``publish_at``; a scheduled post is given
    its new moment."""
    now = now or timezone.now()
    if post.state != PostState.SCHEDULED:
        return set_post_state(
            post, PostState.SCHEDULED, by=by, publish_at=publish_at, now=now
        )
    if publish_at is None or publish_at <= now:
        raise NewsError(
            _("Choose a moment in the future to publish the post."),
            code="publish_at_past",
        )
    with POSTS.holding(post) as locked:
        if locked.state != PostState.SCHEDULED or locked.publish_at == publish_at:
            return post
        locked.publish_at = publish_at
        locked.save(update_fields=["publish_at", "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.SCHEDULED,
            obj=locked,
            data={"publish_at": publish_at.isoformat()},
        )
    return post


def unpublish_post(post, *, by, reason=""):
    """Take ``post`` back to a draft: off the public pages and the feeds, or no
    longer scheduled."""
    return set_post_state(post, PostState.DRAFT, by=by, reason=reason)


def publish_due_posts(*, now=None):
    """Publish the scheduled posts whose moment has come (beat). Returns the ids
    published."""
    now = now or timezone.now()
    due = list(
        NewsPost.objects.filter(
            state=PostState.SCHEDULED, publish_at__lte=now
        ).values_list("pk", flat=True)
    )
    published = []
    for pk in due:
        post = NewsPost(pk=pk)
        try:
            set_post_state(
                post,
                PostState.PUBLISHED,
                by=None,
                now=now,
                only_if=lambda locked: (
                    locked.state == PostState.SCHEDULED
                    and locked.publish_at is not None
                    and locked.publish_at <= now
                ),
            )
        except NewsError:
            logger.warning("Scheduled news post %s could not be published.", pk)
            continue
        if post.state == PostState.PUBLISHED:
            published.append(pk)
    return published


# Making and changing posts ----------------------------------------------------------


def _texts(data):
    return {
        name: (data.get(name) or "").strip() for name in TEXT_FIELDS if name in data
    }


def unique_slug(text, *, exclude=None):
    """An ASCII address made from ``text``, unique among posts (``-2``, ``-3``
    added as needed)."""
    base = slugify(text or "")[: SLUG_LENGTH - 4].strip("-") or "news"
    posts = NewsPost.objects.all()
    if exclude is not None:
        posts = posts.exclude(pk=exclude.pk)
    taken = set(posts.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _given_slug(slug, *, exclude=None):
    slug = slugify(slug or "")[:SLUG_LENGTH].strip("-")
    if not slug:
        return ""
    others = NewsPost.objects.filter(slug=slug)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise NewsError(_("Another post already has this address."), code="slug_taken")
    return slug


def _cover_source(data):
    """The cover's bytes from ``data``: ``cover`` (bytes, or a file) or
    ``cover_key`` (an object of the public storage); None for neither."""
    image = data.get("cover")
    if image is not None and not isinstance(image, bytes | bytearray):
        image.seek(0)
        image = image.read(images.MAX_BYTES + 1)
    if image is not None:
        return bytes(image)
    key = data.get("cover_key")
    if not key:
        return None
    storage = public_storage()
    if not storage.exists(key):
        raise CoverError(_("There is no such image in storage."), code="missing")
    with storage.open(key, "rb") as stored:
        return stored.read(images.MAX_BYTES + 1)


def _store_cover(cover):
    """Save the web sizes of ``cover`` in the public storage under random names;
    returns the post's cover fields."""
    storage = public_storage()
    sizes = []
    for size in cover.sizes:
        name = f"{COVER_FOLDER}/{secrets.token_hex(16)}.jpg"
        stored = storage.save(name, ContentFile(size.data, name=name))
        sizes.append({"width": size.width, "height": size.height, "key": stored})
    largest = sizes[-1]
    return {
        "cover_key": largest["key"],
        "cover_width": largest["width"],
        "cover_height": largest["height"],
        "cover_sizes": sizes,
    }


def _no_cover():
    return {
        "cover_key": "",
        "cover_width": None,
        "cover_height": None,
        "cover_sizes": [],
    }


def cover_keys(post):
    return [size["key"] for size in post.cover_sizes or []]


def _delete_later(keys):
    if keys:
        enqueue("news.delete_cover_objects", *keys)


def delete_cover_objects(keys):
    """Delete objects of covers no post uses any more (idempotent)."""
    storage = public_storage()
    for key in keys:
        storage.delete(key)


def _prepared_cover(data):
    """The cover fields for ``data``'s image, stored, or None without one.
    The image is checked and made before anything is saved: a refused image
    leaves the post as it was."""
    source = _cover_source(data)
    if source is None:
        return None
    return _store_cover(images.make_cover(source))


@contextmanager
def _cleaned_up_on_error(cover):
    """The objects of a cover just stored are deleted if the change fails."""
    try:
        yield
    except BaseException:
        if cover:
            delete_cover_objects([size["key"] for size in cover["cover_sizes"]])
        raise


def create_post(*, data, by):
    """A new draft post from plain values.

    ``data``: the texts (``title_en``, ``title_zh_hant``, ``summary_*``,
    ``body_*`` in Markdown, ``cover_alt_*``), optionally ``slug`` (made from the
    English title when empty) and a cover: ``cover`` (the image's bytes, or a
    file) or ``cover_key`` (an image already in the public storage, which stays
    the caller's: news makes its own web sizes of it). Raises NewsError (a
    refused cover: CoverError).
    """
    texts = _texts(data)
    if not (texts.get("title_en") or texts.get("title_zh_hant")):
        raise NewsError(
            _("Give the post a title in English or in Chinese."), code="no_title"
        )
    slug = _given_slug(data.get("slug"))
    cover = _prepared_cover(data)
    with _cleaned_up_on_error(cover), transaction.atomic():
        post = NewsPost(
            **texts,
            **(cover or {}),
            slug=slug or unique_slug(texts.get("title_en")),
            created_by=by if by is not None and by.is_authenticated else None,
        )
        post.save()
        record_event(actor=by, verb=AuditVerb.CREATED, obj=post)
    return post


def update_post(post, *, data, by, note="", now=None):
    """Change ``post``'s texts, address and cover from ``data`` (as
    ``create_post`` takes it; ``remove_cover=True`` removes the cover).

    Every change is audited with the names of the fields changed. A change of a
    published post is a correction: ``corrected_at`` is set and ``note`` (what
    was corrected) is the event's reason. Returns the names of the fields
    changed (``cover_key`` for the cover).
    """
    now = now or timezone.now()
    texts = _texts(data)
    cover = _prepared_cover(data)
    with _cleaned_up_on_error(cover), POSTS.holding(post) as locked:
        changes = {
            name: value
            for name, value in texts.items()
            if getattr(locked, name) != value
        }
        if "slug" in data:
            slug = _given_slug(data.get("slug"), exclude=locked) or unique_slug(
                changes.get("title_en", locked.title_en), exclude=locked
            )
            if slug != locked.slug:
                changes["slug"] = slug
        old_keys = []
        if cover is not None or (data.get("remove_cover") and locked.cover_key):
            old_keys = cover_keys(locked)
            changes.update(cover or _no_cover())
        if not changes:
            return []
        titles = {
            name: changes.get(name, getattr(locked, name))
            for name in ("title_en", "title_zh_hant")
        }
        if not (titles["title_en"] or titles["title_zh_hant"]):
            raise NewsError(
                _("Give the post a title in English or in Chinese."), code="no_title"
            )
        # The cover's fields change together: the audit log names the cover once.
        fields = sorted(
            {
                "cover_key" if name.startswith("cover_") and "alt" not in name else name
                for name in changes
            }
        )
        is_correction = locked.state == PostState.PUBLISHED
        if is_correction:
            changes["corrected_at"] = now
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changes, "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            reason=note if is_correction else "",
            data={"fields": fields},
        )
        _delete_later(old_keys)
    return fields


def set_cover(post, *, by, image=None, key=None, alt_en=None, alt_zh_hant=None):
    """Give ``post`` a cover (replacing its old one, whose objects are deleted):
    ``image`` (bytes or a file) or ``key`` (an image in the public storage)."""
    data = {"cover": image, "cover_key": key}
    if alt_en is not None:
        data["cover_alt_en"] = alt_en
    if alt_zh_hant is not None:
        data["cover_alt_zh_hant"] = alt_zh_hant
    return update_post(post, data=data, by=by)


def remove_cover(post, *, by, note=""):
    """Take ``post``'s cover away; its objects are deleted."""
    return update_post(post, data={"remove_cover": True}, by=by, note=note)
