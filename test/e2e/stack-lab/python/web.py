# The Python web service of the stack lab: Flask behind gunicorn's sync workers, SQLAlchemy's
# QueuePool against PostgreSQL, Python logging in its usual basicConfig form (on stderr, where
# Railway labels every line `error`). /export forgets to return the connection it checks out (the
# connection leak that exhausts a pool), /slow outlives gunicorn's worker timeout.
import logging
import os
import time

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
log = logging.getLogger("web")

engine = create_engine(
    os.environ["DATABASE_URL"],
    pool_size=int(os.environ.get("DB_POOL_SIZE", "5")),
    max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "10")),
    pool_timeout=float(os.environ.get("DB_POOL_TIMEOUT", "30")),
)
app = Flask(__name__)
leaked = []


@app.get("/health")
def health():
    return jsonify(ok=True)


@app.get("/orders")
def orders():
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar()
    log.info("listed orders (%d sessions)", n)
    return jsonify(n=n)


@app.get("/export")
def export():
    conn = engine.connect()  # never closed: the bug behind the exhaustion
    leaked.append(conn)
    conn.execute(text("SELECT 1"))
    log.info("export started")
    return jsonify(started=True)


@app.get("/slow")
def slow():
    time.sleep(float(os.environ.get("SLOW_SECONDS", "10")))
    return jsonify(done=True)
