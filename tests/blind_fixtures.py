"""An entry full of its entrant's identity, built through the real services: the
blind face must let none of it through, and only staff may reveal it."""

from artsprize.accounts.models import EntrantProfile
from submissions.enums import ConsentMethod, FileState
from submissions.models import ArtworkFile
from submissions.services.entries import (
    set_image_description,
    set_team_members,
    submit_entry,
)
from submissions.services.processing import process_file
from tests import factories, processing_fixtures
from tests.entry_factories import (
    COMPLETE,
    make_entry,
    make_open_round,
    make_youth_category,
)
from tests.upload_helpers import Browser

IDENTITY = {
    "legal_name": "Leung Ka Yan",
    "credit_name": "Kayan Ink",
    "email": "kayan.leung@example.org",
    "phone": "+852 5123 4567",
    "filer_email": "caseworker.lee@example.org",
    "team_member": "Ho Wing Sze",
    "team_guardian": "Ho Man Kit",
    "guardian_name": "Leung Chi Keung",
    "guardian_email": "chi.keung.leung@example.org",
    "file_name": "leung-ka-yan-harbour.jpg",
}
# A Nikon photo whose EXIF holds the camera and GPS coordinates
# (shared/fixtures/real/SOURCES.md): none of it may reach a judge.
PHOTO = processing_fixtures.REAL_FIXTURES / "DSCN0029.jpg"
DEVICE_WORDS = ("NIKON", "COOLPIX")
ALT_TEXT = "Fishing boats moored in a harbour under a grey sky."


def make_identified_entry(client):
    """A submitted youth team entry, filed by a caseworker for a 16-year-old with a
    guardian, with the real photo uploaded through the protocol and processed."""
    round_ = make_open_round()
    category = make_youth_category(round_, allows_teams=True)
    artist = factories.make_entrant(age=16, email=IDENTITY["email"])
    EntrantProfile.objects.filter(user=artist).update(
        legal_name=IDENTITY["legal_name"],
        credit_name=IDENTITY["credit_name"],
        phone=IDENTITY["phone"],
    )
    caseworker = factories.make_caseworker(email=IDENTITY["filer_email"])
    entry = make_entry(
        round_,
        entrant=artist,
        category=category,
        by=caseworker,
        guardian_name=IDENTITY["guardian_name"],
        guardian_email=IDENTITY["guardian_email"],
        consent_method=ConsentMethod.IN_PERSON,
        year_made=2024,
        dimensions="640 × 480 px",
        **COMPLETE,
    )
    set_team_members(
        entry,
        members=[
            {
                "name": IDENTITY["team_member"],
                "role": "Calligraphy",
                "agreed": True,
                "is_minor": True,
                "guardian_name": IDENTITY["team_guardian"],
                "guardian_agreed": True,
            }
        ],
        by=caseworker,
    )
    client.force_login(caseworker)
    status, answer = Browser(client).upload(
        entry, IDENTITY["file_name"], PHOTO.read_bytes(), "image/jpeg"
    )
    assert status == 200, answer
    client.logout()
    file = ArtworkFile.objects.get(pk=answer["file"])
    process_file(file)
    file.refresh_from_db()
    assert file.state == FileState.READY, file.reason
    set_image_description(file, alt_text=ALT_TEXT, by=caseworker)
    return submit_entry(entry, by=caseworker)
