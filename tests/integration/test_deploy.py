"""deploy/: the gunicorn settings, the nginx configurations and the scripts that exercise them.

The gunicorn tests need nothing beyond the package; the nginx ones run
only where nginx is installed (`apt-get install nginx`) and say so when
skipped. deploy/try-proxy.sh and deploy/try-static.sh are the full checks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support.paths import REPO

FIXTURES = REPO / "tests" / "fixtures"
DEPLOY = REPO / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
NGINX = shutil.which("nginx") or (shutil.which("nginx", path="/usr/sbin:/sbin"))
BROTLI_STATIC_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
SCRIPTS = ("lib.sh", "checks.sh", "try-proxy.sh", "try-static.sh")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment less every FEEDSVC_* and prometheus setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(extra)
    return env


READ_SETTINGS = """
import json, os, runpy, sys
before = dict(os.environ)
c = runpy.run_path(sys.argv[1])
keys = ('bind', 'workers', 'worker_class', 'threads', 'preload_app', 'timeout', 'graceful_timeout',
        'limit_request_line', 'limit_request_fields', 'limit_request_field_size', 'accesslog', 'errorlog',
        'control_socket_disable', 'wsgi_app')
out = {k: c[k] for k in keys}
out['logger_bases'] = [b.__module__ + '.' + b.__name__ for b in c['logger_class'].__mro__]
out['hooks'] = {k: c[k].__module__ + '.' + c[k].__qualname__ for k in ('when_ready', 'on_reload', 'child_exit')}
out['watch'] = c['when_ready'].__self__.watch
out['environment_written'] = sorted(k for k in os.environ.keys() ^ before.keys())
print(json.dumps(out))
"""


def run_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Execute deploy/gunicorn.conf.py in a fresh interpreter, as gunicorn does."""
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS, str(GUNICORN_CONF)],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_settings(**env: str) -> dict[str, object]:
    """Return the gunicorn settings deploy/gunicorn.conf.py makes in ``env``."""
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gunicorn_settings_bind_loopback_and_preload_by_default() -> None:
    settings = read_settings()
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["preload_app"] is True
    assert settings["worker_class"] == "sync"
    assert isinstance(settings["workers"], int) and settings["workers"] >= 1
    assert settings["timeout"] == 30 and settings["graceful_timeout"] < settings["timeout"]
    assert settings["limit_request_line"] <= 4094 and settings["limit_request_fields"] <= 100
    assert settings["accesslog"] == "-" and settings["errorlog"] == "-"
    assert "gunicorn.glogging.Logger" in settings["logger_bases"]
    assert settings["control_socket_disable"] is True  # one default path per user: instances would collide


def test_gunicorn_settings_name_the_app_and_the_hooks_feedsvc_serve_uses() -> None:
    """A thin configuration: the app factory and the shared hooks, no environment written for the app."""
    settings = read_settings()
    assert settings["wsgi_app"] == "feedsvc.app:create_gunicorn_app()"
    assert settings["hooks"] == {
        "when_ready": "feedsvc.serve.gunicorn.Hooks.when_ready",
        "on_reload": "feedsvc.serve.gunicorn.Hooks.on_reload",
        "child_exit": "feedsvc.serve.gunicorn.Hooks.child_exit",
    }
    assert settings["watch"] is True
    assert settings["environment_written"] == []


def test_gunicorn_settings_follow_the_environment() -> None:
    settings = read_settings(
        FEEDSVC_BIND="127.0.0.1:9123",
        FEEDSVC_WORKERS="3",
        FEEDSVC_WORKER_CLASS="gthread",
        FEEDSVC_THREADS="8",
        FEEDSVC_TIMEOUT="45",
        FEEDSVC_ACCESS_LOG="off",
        FEEDSVC_WATCH="off",
        FEEDSVC_CONTROL_SOCKET="/tmp/feedsvc-test.ctl",
    )
    assert settings["bind"] == "127.0.0.1:9123"
    assert (settings["workers"], settings["worker_class"], settings["threads"]) == (3, "gthread", 8)
    assert settings["timeout"] == 45
    assert settings["accesslog"] is None
    assert settings["watch"] is False
    assert settings["control_socket_disable"] is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [("FEEDSVC_WORKERS", "many"), ("FEEDSVC_WORKER_CLASS", "eventlet"), ("FEEDSVC_WATCH", "sometimes")],
)
def test_a_wrong_gunicorn_setting_fails_naming_the_variable(variable: str, value: str) -> None:
    result = run_settings(**{variable: value})
    assert result.returncode != 0
    assert f"{variable} must be" in result.stderr and repr(value) in result.stderr


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def children(pid: int) -> list[int]:
    """Return the ids of the processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # it exited meanwhile
            continue
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:  # the field after the state
            found.append(int(stat.parent.name))
    return found


def err_text(tmp_path: Path) -> str:
    return (tmp_path / "gunicorn.err").read_text(errors="replace")


def test_gunicorn_with_the_deploy_settings_serves_the_feed(tmp_path: Path) -> None:
    """gunicorn -c deploy/gunicorn.conf.py on a free loopback port: 200, 304, JSON access log, a publisher."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "site", content)
    out, err = (tmp_path / "gunicorn.out").open("w"), (tmp_path / "gunicorn.err").open("w")
    # port 0: gunicorn binds a free one itself and says which ("Listening at: …")
    env = clean_env(FEEDSVC_BIND="127.0.0.1:0", FEEDSVC_WORKERS="1", FEEDSVC_CONTENT_DIR=str(content))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)],
        cwd=REPO,
        env=env,
        stdout=out,
        stderr=err,
    )
    try:
        deadline = time.monotonic() + 60
        while not (listening := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", err_text(tmp_path))):
            assert server.poll() is None, err_text(tmp_path)
            assert time.monotonic() < deadline, "gunicorn did not listen within 60 s"
            time.sleep(0.05)
        port = int(listening.group(1))
        while True:
            try:
                if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "gunicorn.err").read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.2)
        status, headers, body = get(f"http://127.0.0.1:{port}/feed.atom", Accept_Encoding="gzip")
        assert status == 200
        assert headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
        status, headers, body = get(
            f"http://127.0.0.1:{port}/feed.atom", Accept_Encoding="gzip", If_None_Match=headers["ETag"]
        )
        assert (status, body) == (304, b"")
        # the master's children: its one worker and the publisher process that builds (BUILD_MODE "process")
        assert len(children(server.pid)) == 2
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        out.close()
        err.close()
    access = [json.loads(line) for line in (tmp_path / "gunicorn.out").read_text().splitlines()]
    # in either order: a publish between the two requests reforks the worker, and the new worker may
    # answer (and log) the second request before the retiring one has logged the first (seen in CI)
    assert sorted((a["event"], a["path"], a["status"]) for a in access if a["path"] == "/feed.atom") == [
        ("access", "/feed.atom", 200),
        ("access", "/feed.atom", 304),
    ]
    # everything else, gunicorn's messages and feedsvc's, is JSON lines on standard error
    errors = [json.loads(line) for line in (tmp_path / "gunicorn.err").read_text().splitlines()]
    assert any("Listening at: http://127.0.0.1:" in e.get("message", "") for e in errors)
    assert any(e.get("event") == "rejected" and e["path"].endswith("article-that-is-empty.html") for e in errors)


def test_the_proxy_configuration_keys_its_cache_on_a_normalised_coding() -> None:
    """A gzip-only client must never get a cached br body, and the cache must not key on the Host."""
    conf = (DEPLOY / "nginx" / "feedsvc-proxy.conf").read_text()
    key = re.search(r"^\s*proxy_cache_key\s+(.+);", conf, re.MULTILINE)
    assert key and "$feedsvc_coding" in key.group(1) and "$host" not in key.group(1)
    assert re.search(r"proxy_set_header\s+Accept-Encoding\s+\$feedsvc_coding;", conf)
    assert re.search(r"proxy_ignore_headers\s+Vary;", conf)
    for directive in (
        "proxy_cache_revalidate on",
        "proxy_cache_use_stale updating",
        "proxy_cache_lock on",
        "add_header X-Cache-Status $upstream_cache_status always",
    ):
        assert directive in conf


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_parse(script: str) -> None:
    subprocess.run(["bash", "-n", str(DEPLOY / script)], check=True, timeout=30)


def nginx_test(tmp_path: Path, name: str, substitutions: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `nginx -t` on deploy/nginx/NAME inside a private nginx.conf, as deploy/lib.sh writes it."""
    site = (DEPLOY / "nginx" / name).read_text()
    for old, new in substitutions.items():
        assert old in site, f"{name} no longer has {old!r}"
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "logs").mkdir()
    (tmp_path / "tmp").mkdir()
    module = f"load_module {BROTLI_STATIC_MODULE};" if "brotli_static" in site else ""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp_path}/tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"{module}\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        f"events {{}}\nhttp {{\n{temp}\n    include {tmp_path}/site.conf;\n}}\n"
    )
    return subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "logs/error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )


@needs_nginx
def test_nginx_accepts_the_proxy_configuration(tmp_path: Path) -> None:
    result = nginx_test(
        tmp_path,
        "feedsvc-proxy.conf",
        {
            "listen 80 default_server;": "listen 127.0.0.1:8080 default_server;",  # nginx -t binds nothing: any port
            "/var/cache/nginx/feedsvc": str(tmp_path / "cache"),
        },
    )
    assert result.returncode == 0, result.stderr


@needs_nginx
@pytest.mark.skipif(
    not BROTLI_STATIC_MODULE.exists(),
    reason="nginx's brotli static module is not installed (apt-get install libnginx-mod-http-brotli-static)",
)
def test_nginx_accepts_the_static_configuration(tmp_path: Path) -> None:
    result = nginx_test(
        tmp_path,
        "feedsvc-static.conf",
        {
            "listen 80 default_server;": "listen 127.0.0.1:8080 default_server;",  # nginx -t binds nothing: any port
            "root /srv/feedsvc/site;": f"root {tmp_path};",
        },
    )
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr, result.stderr


@needs_nginx
@pytest.mark.parametrize("script", ["try-proxy.sh", "try-static.sh"])
def test_check_script_passes(script: str) -> None:
    """The full loopback check: gunicorn and a private nginx, every promise of the configuration."""
    if script == "try-static.sh" and not BROTLI_STATIC_MODULE.exists() and os.geteuid() != 0:
        pytest.skip("nginx's brotli static module is missing and only root can install it")
    result = subprocess.run(
        ["bash", str(DEPLOY / script)], cwd=REPO, env=clean_env(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "FAIL" not in result.stdout
