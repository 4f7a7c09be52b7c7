"""A real Celery broker for a test: this process's outbox sends its tasks
through it, as a web process does, instead of running them eagerly; with no
worker on the queue, the test reads what was sent from the broker itself."""

import base64
import contextlib
import json
import os
import uuid
from pathlib import Path


class FolderBroker:
    """Celery's filesystem broker in ``folder``, with a queue of its own."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.queue = f"test-{uuid.uuid4().hex}"
        self.broker_url = "filesystem://"
        self.transport_options = {
            "data_folder_in": str(self.folder),
            "data_folder_out": str(self.folder),
            "control_folder": str(self.folder / "control"),
        }

    def sent(self):
        """What waits on the queue, oldest first: each message's task name,
        arguments and time limits (soft, hard), as a worker would read them."""
        messages = []
        for path in sorted(self.folder.glob(f"*.{self.queue}.msg")):
            envelope = json.loads(path.read_bytes())
            args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
            headers = envelope["headers"]
            messages.append(
                {
                    "task": headers["task"],
                    "args": args,
                    "kwargs": kwargs,
                    "time_limits": tuple(reversed(headers["timelimit"])),
                }
            )
        return messages


@contextlib.contextmanager
def sending_to(target):
    """Let this process's outbox send tasks to ``target``'s queue through its
    broker (``target`` is a FolderBroker or a running worker), as a web
    process does, instead of running them eagerly."""
    from kombu import pools

    from artsprize.celery import app

    keys = (
        "task_always_eager",
        "broker_url",
        "broker_transport_options",
        "task_default_queue",
    )
    saved = {key: app.conf[key] for key in keys}
    # The broker's connections and the queue's routing are made once and kept:
    # forget them on the way in and out. Celery prefers CELERY_BROKER_URL in
    # the environment (CI sets one) to the app's setting.
    saved_amqp = app.__dict__.pop("amqp", None)
    saved_env = os.environ.pop("CELERY_BROKER_URL", None)
    pools.reset()
    app._pool = None
    app.conf.update(
        task_always_eager=False,
        broker_url=target.broker_url,
        broker_transport_options=target.transport_options,
        task_default_queue=target.queue,
    )
    app.set_current()
    try:
        yield app
    finally:
        pools.reset()
        app._pool = None
        app.__dict__.pop("amqp", None)
        if saved_amqp is not None:
            saved_amqp._producer_pool = None
            app.__dict__["amqp"] = saved_amqp
        app.conf.update(saved)
        if saved_env is not None:
            os.environ["CELERY_BROKER_URL"] = saved_env


@contextlib.contextmanager
def folder_broker(folder):
    """``with folder_broker(tmp_path) as broker:`` tasks queued in the block
    wait in a real broker; ``broker.sent()`` lists them."""
    broker = FolderBroker(folder)
    broker.folder.mkdir(parents=True, exist_ok=True)
    (broker.folder / "control").mkdir(exist_ok=True)
    with sending_to(broker):
        yield broker
