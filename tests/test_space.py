"""The Hugging Face Space deployment: its configuration, sign-in as a Space wires it, and an image
without colliderml.

There is no Docker engine here, so the Dockerfile is checked by reading it; the app itself runs
under AppTest with the environment a Space injects, against the real local backend.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import streamlit as st
import yaml
from streamlit.web.server.app_discovery import discover_asgi_app

from components import data
from components.tasks import FALLBACK_TASKS
from tests.conftest import LocalBackend, home_app
from tests.e2e.support import running_app
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
SPACE_HOST = "colliderml-leaderboard.hf.space"
CLIENT_ID = "colliderml-local"
CLIENT_SECRET = "space-test-secret"  # noqa: S105 - a made-up value, checked never to reach the page
COMPONENT_PATH = "/component/streamlit_oauth.authorize_button/index.html"
TASKS = [t.name for t in FALLBACK_TASKS]


def _front_matter() -> dict:
    """The YAML block the Hub reads at the very top of README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, flags=re.DOTALL)
    assert match, "README.md must start with a `---` front matter block"
    config = yaml.safe_load(match.group(1))
    assert isinstance(config, dict)
    return config


def _dockerfile() -> list[str]:
    """Dockerfile instructions, one per entry, continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [line.strip() for line in joined.splitlines() if line.strip()]


def test_readme_front_matter_configures_a_docker_space_with_sign_in() -> None:
    config = _front_matter()
    assert config["sdk"] == "docker"
    assert config["app_port"] == 8501
    assert config["hf_oauth"] is True
    assert config["hf_oauth_expiration_minutes"] == 480
    assert config["title"] and config["emoji"]
    assert config["pinned"] is False


def test_dockerfile_builds_the_dashboard_for_a_space() -> None:
    instructions = _dockerfile()
    text = "\n".join(instructions)
    assert instructions[0] == "FROM python:3.11-slim"
    assert re.search(r"^RUN useradd -m -u 1000 user$", text, flags=re.MULTILINE)
    assert "USER user" in instructions, "Spaces run the container as uid 1000"
    assert re.search(r"^WORKDIR \$HOME/app$", text, flags=re.MULTILINE)
    assert "pip install --no-cache-dir -r requirements.txt -c constraints.txt" in text, "the pinned versions"
    assert "requirements-dev.txt" not in text, "the image holds the dashboard only"
    for path in ("app.py", "Home.py", "pages", "components", ".streamlit"):
        assert re.search(rf"^COPY .*\s{re.escape(path)}\s", text, flags=re.MULTILINE), path
    cmd = next(line for line in instructions if line.startswith("CMD "))
    served_on_every_interface = "0.0.0.0"  # noqa: S104 - a container must listen beyond its loopback
    assert json.loads(cmd.removeprefix("CMD ")) == [
        "streamlit", "run", "app.py", "--server.port", "8501", "--server.address", served_on_every_interface,
    ]  # fmt: skip
    healthcheck = next(line for line in instructions if line.startswith("HEALTHCHECK "))
    assert "http://localhost:8501/_stcore/health" in healthcheck
    assert "curl" not in healthcheck, "python:3.11-slim has no curl"


def test_dockerignore_keeps_the_image_to_the_dashboard() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*", "an allow-list: nothing enters the build context unless listed"
    allowed = {"!requirements.txt", "!constraints.txt", "!app.py", "!Home.py", "!pages/", "!components/"}
    allowed.add("!.streamlit/")
    assert allowed <= set(rules)


def test_the_entry_file_is_an_st_app_that_serves_home() -> None:
    """`streamlit run app.py` (the image's CMD, `make run`, a Streamlit-SDK Space's `app_file`) must
    find the `st.App` in it, or it would run app.py itself as a page: a blank app."""
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"
    assert re.search(r'^app = st\.App\("Home\.py"', (ROOT / "app.py").read_text(encoding="utf-8"), flags=re.MULTILINE)


@pytest.fixture
def space_env(monkeypatch: pytest.MonkeyPatch, backend: LocalBackend) -> Iterator[None]:
    """The variables a Space with `hf_oauth: true` injects, the provider being the local stand-in."""
    for name, value in {
        "SPACE_HOST": SPACE_HOST,
        "OAUTH_CLIENT_ID": CLIENT_ID,
        "OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "OPENID_PROVIDER_URL": backend.url,
        "COLLIDERML_BACKEND": backend.url,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OAUTH_SCOPES", raising=False)
    st.cache_data.clear()
    data.forget_last_good()
    yield
    st.cache_data.clear()
    data.forget_last_good()


def test_sign_in_button_on_a_space_sends_the_provider_back_to_the_space(space_env, backend: LocalBackend) -> None:
    at = home_app().run()
    assert not at.exception, at.exception
    buttons = [el for el in at.sidebar if el.type == "component_instance" and el.proto.json_args]
    assert len(buttons) == 1, "the streamlit-oauth sign-in button is in the sidebar"
    json_args = buttons[0].proto.json_args
    assert CLIENT_SECRET not in json_args, "the client secret must never reach the browser"
    url = urlsplit(json.loads(json_args)["authorization_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{backend.url}/oauth/authorize"
    query = {key: values[0] for key, values in parse_qs(url.query, strict_parsing=True).items()}
    redirect = f"https://{SPACE_HOST}{COMPONENT_PATH}"
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == redirect
    assert f"redirect_uri={quote(redirect, safe='')}" in url.query, "the redirect is URL-encoded"
    assert query["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"]), "a base64url SHA-256, unpadded"
    assert re.fullmatch(r"[0-9a-f]{32}", query["state"])
    assert query["scope"] == "openid profile"


# The app with `import colliderml` failing, as in an image where it is missing or broken. It runs
# in a child process so that this test process keeps its own modules untouched.
WITHOUT_COLLIDERML = """
import json, sys
sys.modules["colliderml"] = None  # every `import colliderml...` now raises ImportError
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from components.tasks import installed_tasks

assert installed_tasks() == [], "colliderml must look absent"
at = AppTest.from_file("Home.py", default_timeout=60).run()
report = {
    "exceptions": [e.value for e in at.exception],
    "page_links": [link.proto.page for link in at.get("page_link")],
    "warnings": [w.value for w in at.warning],
}
at._page_hash = calc_hash("jets")  # open the jets page, as tests/test_pages.py does
at.run()
report["jets_exceptions"] = [e.value for e in at.exception]
report["jets_tables"] = len(at.dataframe)
report["jets_errors"] = [e.value for e in at.error]
print(json.dumps(report))
"""


# A fresh process opening the jets page by URL, as the first visitor after a start does: which
# colliderml modules did it import?
COLD_START = """
import json, sys
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

at = AppTest.from_file("Home.py", default_timeout=60)
at._page_hash = calc_hash("jets")
at.run()
report = {
    "jets_exceptions": [e.value for e in at.exception],
    "jets_tables": len(at.dataframe),
    "colliderml_modules": sorted(name for name in sys.modules if name.split(".")[0] == "colliderml"),
}
print(json.dumps(report))
"""


def _run_without_colliderml(backend_url: str) -> dict:
    return _run_child(WITHOUT_COLLIDERML, backend_url)


def _run_child(script: str, backend_url: str) -> dict:
    """Run `script` in a child process of the app's directory; the JSON report it printed last."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENID_PROVIDER_URL", "OAUTH_CLIENT_ID", "SPACE_HOST")}
    env["COLLIDERML_BACKEND"] = backend_url
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_without_colliderml_the_app_browses_the_backend(seeded_backend: LocalBackend) -> None:
    report = _run_without_colliderml(seeded_backend.url)
    assert report["exceptions"] == []
    assert report["page_links"] == TASKS
    assert report["warnings"] == []
    assert report["jets_exceptions"] == []
    assert report["jets_tables"] >= 1 and report["jets_errors"] == []


def test_without_colliderml_and_backend_the_builtin_tasks_still_give_six_pages() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    report = _run_without_colliderml(closed)
    assert report["exceptions"] == []
    assert report["page_links"] == TASKS
    assert any("not answering" in w for w in report["warnings"])
    assert report["jets_exceptions"] == []
    assert any("could not be loaded" in e for e in report["jets_errors"])


def test_a_cold_start_on_a_working_backend_does_not_import_colliderml(seeded_backend: LocalBackend) -> None:
    """Its import costs 0.3-3 s: the catalogue comes from the backend, and only an upload check or a
    local score needs colliderml itself."""
    report = _run_child(COLD_START, seeded_backend.url)
    assert report["jets_exceptions"] == []
    assert report["jets_tables"] >= 1
    assert report["colliderml_modules"] == []


def test_a_fresh_server_fetches_every_board_before_its_first_visitor(
    fresh_backend: LocalBackend, tmp_path: Path
) -> None:
    """app.py's warm-up run: a Space that wakes has its leaderboards in the shared caches before
    anyone opens a page, with no browser connected."""
    with running_app(fresh_backend.url, tmp_path / "streamlit.log"):
        deadline = time.monotonic() + 60
        while not all(f"GET /v1/leaderboard/{task}?" in fresh_backend.server.log_text() for task in TASKS):
            assert time.monotonic() < deadline, fresh_backend.server.log_text()
            time.sleep(0.2)


def _pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a requirements or constraints file (environment markers left out),
    names normalised as pip does."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].split(";")[0].strip().partition("==")
        if sep:
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_constraints_pin_every_requirement_at_its_own_version() -> None:
    """make install and the image install with -c constraints.txt: a requirement pinned one way
    there and another way here would make pip refuse to install."""
    constraints = _pins(ROOT / "constraints.txt")
    for file in ("requirements.txt", "requirements-dev.txt"):
        for name, version in _pins(ROOT / file).items():
            assert constraints.get(name) == version, f"{file}: {name}=={version}, constraints: {constraints.get(name)}"
    assert {"numpy", "urllib3", "httpx", "httpx-oauth"} <= set(_pins(ROOT / "requirements.txt"))
