"""A decided round ready to publish, with works whose derivatives are in the
private bucket, and the public location read and emptied."""

import io

from django.core.files.storage import storages
from PIL import Image

from artsprize.accounts.enums import Language
from artsprize.accounts.models import EntrantProfile
from judging.enums import AwardKind, StageState
from judging.models import StageEntry
from judging.services.awards import create_award_type, decide_round, give_award
from submissions import storage
from submissions.enums import DerivativeKind, RoundState
from submissions.models import Derivative, Entry
from tests import factories
from tests.entry_factories import add_file
from tests.judging_factories import make_judging_round, make_stage

LEGAL = "Leung Ka Yan"
PSEUDONYM = "Kayan Ink"
TEXTS = {
    "title_en": "Results of the prize",
    "title_zh_hant": "得獎結果",
    "summary_en": "The winners and the shortlist.",
    "summary_zh_hant": "得獎及入圍作品。",
    "intro_en": "Thank you to every artist.",
    "intro_zh_hant": "感謝每一位藝術家。",
}


def add_stored_picture(entry, *, width=1200, height=800):
    """A ready image of ``entry`` whose preview and thumbnail are stored in
    the private bucket (the pipeline has its own tests)."""
    # A long description, as artists may write (a cover's is shorter).
    file = add_file(
        entry, alt_text=f"Description of {entry.title_en}. " + "Sea. " * 300
    )
    for kind, edge in ((DerivativeKind.PREVIEW, width), (DerivativeKind.THUMB, 480)):
        size = (edge, round(height * edge / width))
        buffer = io.BytesIO()
        Image.new("RGB", size, (40, 90, 140)).save(buffer, "JPEG")
        key = Derivative.key_for(file, kind, "jpg")
        storage.put_bytes(key, buffer.getvalue(), content_type="image/jpeg")
        Derivative.objects.create(
            artwork_file=file,
            kind=kind,
            key=key,
            width=size[0],
            height=size[1],
            size=len(buffer.getvalue()),
            content_type="image/jpeg",
        )
    return file


def public_keys():
    public = storages["public"]
    client = public.connection.meta.client
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=public.bucket_name)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))


def clear_public():
    public = storages["public"]
    for key in public_keys():
        public.delete(key)


def make_decided_round():
    """A decided round: four works reached the final (chosen from a first
    stage). A (a pseudonym, Chinese-speaking artist) wins the special award;
    B wins the category but its artist did not agree to the website; C is
    shortlisted; D is shortlisted without the agreement. One more work stopped
    at the first stage."""
    clear_public()
    round_ = make_judging_round(entries=5)
    category = round_.categories.get()
    works = list(Entry.objects.filter(round=round_).order_by("id"))
    a, b, c, d, _e = works
    chinese = factories.make_entrant(language=Language.CHINESE)
    EntrantProfile.objects.filter(user=chinese).update(
        legal_name=LEGAL, credit_name=PSEUDONYM
    )
    Entry.objects.filter(pk=a.pk).update(entrant=chinese)
    Entry.objects.filter(pk__in=[a.pk, c.pk]).update(consent_website=True)
    first = make_stage(round_, state=StageState.FINALISED)
    final = make_stage(round_, previous=first, position=1, state=StageState.FINALISED)
    for work in works:
        StageEntry.objects.create(stage=first, entry=work, category=category)
    for work in (a, b, c, d):
        StageEntry.objects.create(stage=final, entry=work, category=category)
        add_stored_picture(work)
    round_.refresh_from_db()
    round_.state = RoundState.JUDGING
    round_.save(update_fields=["state"])
    staff = factories.make_staff()
    special = create_award_type(
        round_,
        data={
            "kind": AwardKind.SPECIAL,
            "name_en": "Justice Centre Choice",
            "name_zh_hant": "公義中心之選",
            "places": 1,
        },
        by=staff,
    )
    winner = create_award_type(
        round_,
        data={
            "kind": AwardKind.CATEGORY_WINNER,
            "name_en": "Winner",
            "name_zh_hant": "冠軍",
            "category": category,
            "places": 1,
        },
        by=staff,
    )
    give_award(special, a.pk, by=staff, citation_en="Brave.", citation_zh_hant="勇敢。")
    give_award(winner, b.pk, by=staff, citation_en="Quiet.", citation_zh_hant="安靜。")
    decide_round(round_, by=staff)
    round_.refresh_from_db()
    return round_, staff, {"a": a, "b": b, "c": c, "d": d, "e": _e}
