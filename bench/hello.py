"""The ceiling: the smallest Flask app, served by gunicorn exactly as `course serve` serves
the course (bench/run.py starts both and compares them in the same run).

Not meant to be run by hand, but it can be:
`.venv/bin/gunicorn --chdir bench -w 2 -k sync hello:app`.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
