# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The HTML report opens offline in headless Chromium: no console error, no network request."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
_REQUEST = re.compile(r"NotifyBeforeURLRequest: (\S+)")
_CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\] \"(.*)\", source: (\S+)")


def _browser() -> str | None:
    for name in _BROWSERS:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists()
                                       else None)
        if found:
            return found
    return None


BROWSER = _browser()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium/Chrome binary on PATH "
                                "(looked for chromium, chromium-browser, google-chrome, chrome)")


def _load(page: Path, profile: Path) -> tuple[str, list[str], set[str]]:
    """Open ``page`` offline; return the DOM, console messages and the http(s) requests
    (host and path: the browser's own update checks vary their query strings)."""
    result = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
         "--v=1", "--host-resolver-rules=MAP * ~NOTFOUND", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    console = [m.group(1) for m in _CONSOLE.finditer(result.stderr)]
    requests = {urlsplit(m.group(1))._replace(scheme="", query="", fragment="").geturl()
                for m in _REQUEST.finditer(result.stderr)
                if m.group(1).startswith(("http://", "https://"))}
    return result.stdout, console, requests


def test_the_report_renders_offline_without_errors_or_requests(report, tmp_path):
    page = tmp_path / "report.html"
    report.to_html(page)
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*https?://""", html, re.IGNORECASE)
    assert "<script" not in html.lower()

    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body><p>blank</p></body></html>", encoding="utf-8")
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><script>console.error("broken page")</script>'
                   '<img src="https://example.invalid/a.png"></body></html>', encoding="utf-8")
    _, _, browser_own = _load(blank, tmp_path / "profile-blank")  # the browser's own traffic
    _, bad_console, bad_requests = _load(bad, tmp_path / "profile-bad")
    assert "broken page" in bad_console  # the checks below can see errors and requests
    assert "//example.invalid/a.png" in bad_requests - browser_own

    dom, console, requests = _load(page, tmp_path / "profile-report")
    assert "Embedding quality report" in dom and dom.count("data:image/png;base64,") == 5
    assert console == []
    assert requests - browser_own == set()
