"""One side of a deadline rush: the stack (database, S3 server, gunicorn) of one
tree of the portal's code, run as a child of bench/deadline_rush.py from that tree,
so that Django, the test data and gunicorn all use that tree's code.

The parent sends one JSON command a line on stdin and reads one JSON answer a line
on stdout; anything else this process prints goes to stderr. When stdin closes
(the parent ended, however), the stack is stopped and its database dropped.
"""

import argparse
import collections
import json
import os
import re
import signal
import sys
import traceback
from pathlib import Path

TREE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TREE))

from bench.flow import STEPS, ClientTransport, Flow  # noqa: E402
from bench.harness import Stack, percentile  # noqa: E402


def query_counts(stack, round_, jpeg):
    """The flow once through Django's test client in this process, counting each
    request's queries; a query repeated within one request is listed (a hint of
    N+1)."""
    user = stack.make_entrants(1, prefix="queries")[0]
    transport = ClientTransport(user)
    flow = Flow(transport, round_pk=round_.pk, jpeg=jpeg).run()
    if flow.error:
        raise RuntimeError(f"the flow failed under the test client: {flow.error}")
    counts = {}
    for step in STEPS:
        if step not in transport.queries:
            continue
        sql = transport.queries[step]
        shapes = collections.Counter(
            re.sub(r"'[^']*'|\b\d+\b", "?", statement) for statement in sql
        )
        counts[step] = {
            "queries": len(sql),
            "repeated": {shape: n for shape, n in shapes.items() if n > 1},
            "sql": sql,
        }
    return counts


class Side:
    def __init__(self, stack):
        self.stack = stack
        self.round = None
        self.category = None

    def start(self, command):
        self.stack.start()
        from django.conf import settings

        import artsprize
        import submissions
        from submissions.enums import MediaKind

        self.round, self.category = self.stack.make_round(media_kinds=[MediaKind.IMAGE])
        return {
            "origin": self.stack.origin,
            "round": self.round.pk,
            "category": self.category.pk,
            "cookie_name": settings.SESSION_COOKIE_NAME,
            "gunicorn": self.stack.processes["gunicorn"].pid,
            "gunicorn_command": self.stack.gunicorn_command()[1:],
            "rclone": self.stack.processes["rclone"].pid,
            "database": self.stack.database,
            "modules": {
                "artsprize": artsprize.__file__,
                "submissions": submissions.__file__,
            },
            "editable_finder": any(
                getattr(finder, "__module__", "").startswith("__editable__")
                for finder in sys.meta_path
            ),
            "debug": settings.DEBUG,
        }

    def queries(self, command):
        return query_counts(self.stack, self.round, bytes.fromhex(command["jpeg"]))

    def logins(self, command):
        users = self.stack.make_entrants(command["count"], prefix="login")
        times = []
        for user in users:
            seconds, status, signed_in = self.stack.password_login(user.email)
            if status != 302 or not signed_in:
                raise RuntimeError(f"log-in failed: HTTP {status}")
            times.append(seconds * 1000)
        return {"count": len(times), "median": percentile(times, 0.5), "all": times}

    def entrants(self, command):
        users = self.stack.make_entrants(command["count"], prefix=command["prefix"])
        return {"cookies": self.stack.session_cookies(users)}

    def submitted(self, command):
        from submissions.enums import EntryState
        from submissions.models import Entry

        return {
            "count": Entry.objects.filter(
                round=self.round,
                entrant__email__startswith=command["prefix"],
                state=EntryState.SUBMITTED,
            ).count()
        }

    def workers(self, command):
        return {"pids": self.stack.gunicorn_pids()}

    def stop(self, command):
        self.stack.close()
        return {"stopped": True}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--measure-dir", required=True)
    parser.add_argument("--profile", choices=["wall", "cpu"])
    args = parser.parse_args()

    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    with Stack(
        database=args.database,
        worker_class=args.worker_class,
        workers=args.workers,
        threads=args.threads,
        measure_dir=args.measure_dir,
        profile=args.profile or "",
    ) as stack:
        side = Side(stack)
        for line in sys.stdin:
            command = json.loads(line)
            try:
                answer = getattr(side, command["op"])(command)
            except Exception:
                answer = {"error": traceback.format_exc()}
            answers.write(json.dumps(answer, default=str) + "\n")
            if command["op"] == "stop":
                break


if __name__ == "__main__":
    main()
