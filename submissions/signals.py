"""The extension points that submissions fires explicitly, for the apps above
it (which it may not import) to add to its pages or follow its changes.

``round_dashboard_sections``: the staff dashboard of a round
(``views/dashboard.py``) asks for more sections, each drawn by an app that
knows its own numbers — judging adds its stages' progress. It is sent once per
page, while the page renders, with ``sender=Round`` and the keyword arguments
``round_`` (the round shown) and ``request`` (the staff member's request,
already allowed to see the dashboard); a receiver returns a rendered HTML
fragment (a ``<section>`` with an ``h2``, marked safe, as ``render_to_string``
returns it) or None to add nothing. The sections follow the dashboard's own,
in the order their receivers were connected. A receiver reads in a fixed
number of queries, however large the round, since the dashboard's query count
is held fixed.

The view calls ``send``, not ``send_robust``: a receiver that fails is a bug
of the page, and it fails the page (and its tests) as loudly as the
dashboard's own code would, rather than leaving a section silently missing.
"""

from django.dispatch import Signal

round_dashboard_sections = Signal()

# ``public_use_changed``: an artist changed the public uses of a submitted work
# (``services/public_use.py``), sent after the change is committed with
# ``sender=Entry`` and the keyword arguments ``entry_id``, ``round_id`` and
# ``website`` (whether the work may now be shown on the website). The apps that show works in public
# follow it: a work withdrawn from the website leaves their pages.
public_use_changed = Signal()
