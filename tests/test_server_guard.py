"""The studio against other sites: host names, cross-site changes, safety headers, tokens, listening."""

from __future__ import annotations

import pytest

# The `test` extra pulls the studio's dependencies: without them these tests fail, never skip quietly.
from fastapi.testclient import TestClient

from server_probes import jpeg_bytes
from stillmotion.errors import StudioError
from stillmotion.server import create_app
from stillmotion.server.guard import allowed_hosts_for

PHOTO = jpeg_bytes()


@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def client(data):
    with TestClient(create_app(data, start_workers=False), base_url="http://localhost:8000") as client:
        yield client


def post_job(client, headers=None):
    return client.post("/api/jobs", files={"photo": ("p.jpg", PHOTO, "image/jpeg")}, data={"prompt": "rain"}, headers=headers or {})


# --- host names (DNS rebinding) -----------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.2", "", "[::2]:80"])
def test_an_unknown_host_name_is_refused_everywhere(client, host):
    for method, path in [("GET", "/"), ("GET", "/api/info"), ("GET", "/api/jobs"), ("POST", "/api/jobs")]:
        answer = client.request(method, path, headers={"Host": host})
        assert answer.status_code == 400, (host, path)
        assert "does not answer to the host name" in answer.json()["error"]
        assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("host", ["localhost:8000", "LOCALHOST", "127.0.0.1:8000", "[::1]:8000", "localhost"])
def test_the_loopback_names_are_answered(client, host):
    assert client.get("/api/info", headers={"Host": host}).status_code == 200


def test_allowed_hosts_follow_the_listening_address():
    assert allowed_hosts_for("127.0.0.1") == ("localhost", "127.0.0.1", "::1")
    assert allowed_hosts_for("192.168.1.20", ("studio.lan",)) == ("localhost", "127.0.0.1", "::1", "192.168.1.20", "studio.lan")
    assert allowed_hosts_for("0.0.0.0") == ("*",) and allowed_hosts_for("::") == ("*",)
    assert allowed_hosts_for("127.0.0.1", ("*",))[-1] == "*"


def test_a_studio_for_any_host_answers_any_name(data):
    with TestClient(create_app(data, start_workers=False, allowed_hosts=("*",)), base_url="http://studio.lan") as client:
        assert client.get("/api/info").status_code == 200


# --- cross-site changes ---------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "http://localhost:9000"},  # the same machine, another port: another site's page
    {"Origin": "null"},  # a sandboxed frame or a file:// page
    {"Referer": "http://evil.example/page.html"},  # browsers that send no Origin send this
    {"Origin": "http://evil.example", "Referer": "http://localhost:8000/"},  # Origin decides
])
def test_a_change_asked_by_another_sites_page_is_refused(client, data, headers):
    answer = post_job(client, headers)
    assert answer.status_code == 403, answer.text
    assert "another site" in answer.json()["error"]
    assert client.get("/api/jobs").json()["total"] == 0
    assert not any(list((data / sub).iterdir()) for sub in ("tmp", "uploads"))  # refused before the upload was read


def test_delete_from_another_site_is_refused(client):
    job_id = post_job(client).json()["id"]
    answer = client.delete(f"/api/jobs/{job_id}", headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "queued"


@pytest.mark.parametrize("headers", [
    {},  # curl, scripts: no browser, no Origin
    {"Origin": "http://localhost:8000"},  # the studio's own page
    {"Origin": "https://localhost:8000"},  # the same, behind a TLS proxy
    {"Referer": "http://localhost:8000/"},
])
def test_the_page_and_api_clients_keep_working(client, headers):
    assert post_job(client, headers).status_code == 202


def test_reading_from_another_site_is_not_a_change(client):
    assert client.get("/api/jobs", headers={"Origin": "http://evil.example"}).status_code == 200


# --- headers ----------------------------------------------------------------------------------
def test_the_page_has_a_content_security_policy_and_every_answer_nosniff(client):
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    for rule in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert rule in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for answer in (page, client.get("/api/info"), client.get("/static/app.js"), client.get("/api/jobs/0123456789abcdef")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_the_page_needs_nothing_its_policy_forbids(client):
    """No inline script, style or event handler in the page (its policy would block them)."""
    import re

    page = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script"
    assert "<style" not in page and not re.search(r"\sstyle=", page), "an inline style"
    assert not re.search(r"\son[a-z]+=", page), "an inline event handler"


# --- tokens and listening -------------------------------------------------------------------------
def test_an_empty_token_is_an_error_not_no_token(data):
    for empty in ("", "  "):
        with pytest.raises(StudioError, match="empty token"):
            create_app(data, start_workers=False, token=empty)


def run_cli(argv, monkeypatch, capsys, env=None):
    from stillmotion.cli import main

    monkeypatch.delenv("STILLMOTION_TOKEN", raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    code = main(argv)
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("argv, env, words", [
    (["--token", ""], {}, "--token is empty"),
    ([], {"STILLMOTION_TOKEN": ""}, "STILLMOTION_TOKEN is set but empty"),
    (["--host", "0.0.0.0"], {}, "without a token"),
    (["--host", "192.168.1.20"], {}, "without a token"),
])
def test_serve_refuses_to_start_unsafely_in_one_line(tmp_path, monkeypatch, capsys, argv, env, words):
    code, lines = run_cli(["serve", "--data", str(tmp_path / "d"), *argv], monkeypatch, capsys, env)
    assert code == 1 and len(lines) == 1 and words in lines[0], lines


def test_insecure_no_token_is_the_explicit_way_beyond_this_machine(tmp_path, monkeypatch, capsys):
    import socket

    with socket.socket() as busy:  # a taken port: serve gets past its token checks, then stops at the port
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        code, lines = run_cli(["serve", "--host", "0.0.0.0", "--port", port, "--insecure-no-token", "--data", str(tmp_path / "d")],
                              monkeypatch, capsys)
    assert code == 1 and len(lines) == 1 and "cannot listen" in lines[0], lines
