"""Look for duplicate files among the files processed before duplicates were
looked for: give each ready image its perceptual hash (from its original, or its
preview once the original is gone), then record the matches among every ready
file. Safe to run again: what is hashed and recorded is not done twice."""

from django.core.management.base import BaseCommand

from submissions.enums import MatchKind
from submissions.services.duplicates import (
    fingerprint_unhashed_images,
    record_all_matches,
)


class Command(BaseCommand):
    help = (
        "Hash the images processed before perceptual hashes were taken and record "
        "the duplicate files among every ready file."
    )

    def handle(self, *args, **options):
        hashed = fingerprint_unhashed_images()
        self.stdout.write(
            f"Images hashed: {hashed['hashed']}; "
            f"neither original nor preview readable: {hashed['unreadable']}."
        )
        found = record_all_matches()
        self.stdout.write(
            f"New matches: {found[MatchKind.SAME_FILE]} same file, "
            f"{found[MatchKind.SIMILAR_IMAGE]} similar image."
        )
        if hashed["unreadable"]:
            self.stderr.write(
                "Some images could not be hashed: their files are listed in the log."
            )
