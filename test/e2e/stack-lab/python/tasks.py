# The Celery app of the stack lab: a worker and a beat on a Redis broker. `refresh_totals` runs on
# beat's schedule; `rebuild_index` runs past its hard time limit; `sync_inventory` waits forever on
# a socket (no time limit), the task that starts and never finishes.
import os
import socket
import time

from celery import Celery

app = Celery("tasks", broker=os.environ["REDIS_URL"])
app.conf.update(
    beat_schedule={
        "refresh-totals": {"task": "tasks.refresh_totals", "schedule": float(os.environ.get("BEAT_SECONDS", "5"))},
    },
    worker_hijack_root_logger=True,
    broker_connection_retry_on_startup=True,
)


@app.task
def refresh_totals():
    time.sleep(0.05)
    return 42


@app.task(time_limit=float(os.environ.get("TASK_TIME_LIMIT", "2")))
def rebuild_index():
    time.sleep(60)


@app.task
def sync_inventory():
    # A server that accepts and never answers: recv blocks forever.
    s = socket.create_connection(("127.0.0.1", int(os.environ["STALL_PORT"])))
    s.recv(1)
