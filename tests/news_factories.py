"""News posts made through the news services, as staff make them."""

import datetime
import io
from pathlib import Path

from django.utils import timezone
from PIL import Image

from artsprize.news.services import create_post, publish_post_now

REAL = Path("/work/shared/fixtures/real")
# A phone photo, 4608 × 1976 pixels, with GPS coordinates in its EXIF.
GPS_PHOTO = REAL / "HMD_Nokia_8.3_5G.jpg"
# A photo whose EXIF orientation turns it a quarter (640 × 480 stored).
TURNED_PHOTO = REAL / "portrait_6.jpg"

TEXTS = {
    "title_en": "Winners announced",
    "title_zh_hant": "得獎名單公布",
    "summary_en": "The panel chose three works.",
    "summary_zh_hant": "評審團選出三件作品。",
    "body_en": "The **panel** met in June.\n\nRead [the call](https://example.org/call).",
    "body_zh_hant": "評審團於六月開會。",
}


def png_bytes(width=800, height=600, colour=(30, 90, 160)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_post(*, by=None, published=False, published_at=None, **data):
    """A post with ``TEXTS`` (overridden by ``data``); published when asked,
    at ``published_at`` (a moment, default now)."""
    post = create_post(data={**TEXTS, **data}, by=by)
    if published or published_at is not None:
        publish_post_now(post, by=by, now=published_at or timezone.now())
    return post


def make_published_posts(count, *, with_cover=False, by=None):
    """``count`` published posts, a day apart, the last the newest."""
    start = timezone.now() - datetime.timedelta(days=count)
    cover = (
        {"cover": png_bytes(), "cover_alt_en": "A blue square"} if with_cover else {}
    )
    return [
        make_post(
            by=by,
            title_en=f"Post {number}",
            title_zh_hant=f"消息{number}",
            published_at=start + datetime.timedelta(days=number),
            **cover,
        )
        for number in range(count)
    ]
