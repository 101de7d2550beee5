"""The viewer page's budget, measured against a running site: its own JavaScript, gzipped
(the IVS player SDK and its WebAssembly worker counted apart), and Lighthouse's mobile
performance score.

    uv run python -m bench.web_budget http://127.0.0.1:8080 [--path /?show=demo-show]

Budget (issue 6, kept by later issues): viewer JS ≤ 60 KB gzipped, Lighthouse mobile ≥ 90.
Lighthouse comes from bench/lighthouse's npm packages (`make bench` installs them) and
drives Chromium at $CHROME_PATH (default /usr/bin/chromium). The score is the median of
LIGHTHOUSE_RUNS runs: one run on a shared machine is noisy."""

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlparse

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO_ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
LIGHTHOUSE_RUNS = 3
# The SDK chunk (named so by web/vite.config.ts) and its worker are the player, not the page.
SDK_PREFIX = "amazon-ivs-"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic "
    # The IVS player calls home: keep every lookup on loopback, as the browser tests do.
    "--host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'"
)

_SCRIPT_TAGS = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.js)"', re.IGNORECASE)
# Static imports ("./socket-x.js"), dynamic ones, and Vite's preload map ("assets/player-x.js").
_JS_REFERENCES = re.compile(r'["\'`]((?:\.{1,2}/|/)?(?:assets/)?[\w.-]+\.js)["\'`]')


def _is_sdk(url: str) -> bool:
    return Path(urlparse(url).path).name.startswith(SDK_PREFIX)


def viewer_js_gzip_kb(base_url: str, client: httpx.Client) -> float:
    """Gzipped size of every script the viewer page loads (statically or lazily), minus the SDK."""
    page_url = urljoin(base_url.rstrip("/") + "/", "index.html")
    page = client.get(base_url.rstrip("/") + "/")
    page.raise_for_status()
    pending = [urljoin(page_url, src) for src in _SCRIPT_TAGS.findall(page.text)]
    if not pending:
        raise RuntimeError(f"{base_url}: the viewer page loads no script")
    seen: set[str] = set()
    total = 0
    while pending:
        url = pending.pop()
        if url in seen or _is_sdk(url):
            continue
        seen.add(url)
        response = client.get(url)
        response.raise_for_status()
        total += len(gzip.compress(response.content, compresslevel=9))
        for reference in _JS_REFERENCES.findall(response.text):
            # "./x.js" is relative to the chunk; Vite's preload map is relative to the site root.
            base = url if reference.startswith(".") else base_url.rstrip("/") + "/"
            pending.append(urljoin(base, reference))
    return round(total / 1024, 1)


def _lighthouse_once(url: str) -> float:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--only-categories=performance",
                "--form-factor=mobile",  # the default throttling: a mid-range phone on 4G
                "--output=json",
                f"--output-path={report}",
                "--quiet",
                f"--chrome-flags={CHROME_FLAGS}",
            ],
            check=True,
            timeout=300,
            env={**os.environ, "CHROME_PATH": chrome},
            capture_output=True,
        )
        score = json.loads(report.read_text())["categories"]["performance"]["score"]
    if score is None:
        raise RuntimeError(f"Lighthouse could not score {url} (the page did not load?)")
    return float(score) * 100


def lighthouse_performance(url: str, runs: int = LIGHTHOUSE_RUNS) -> float:
    """Lighthouse's mobile performance score (0 to 100), the median of `runs` runs."""
    if not LIGHTHOUSE.exists():
        raise RuntimeError(
            f"no Lighthouse at {LIGHTHOUSE}: `make bench` installs it (bench/lighthouse)"
        )
    return statistics.median(_lighthouse_once(url) for _ in range(runs))


def measure(base_url: str, path: str = "/") -> dict[str, float]:
    """The viewer page's budget figures at `base_url` (the local runtime's, or a deployment's)."""
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        size = viewer_js_gzip_kb(base_url, client)
    score = lighthouse_performance(urljoin(base_url.rstrip("/") + "/", path.lstrip("/")))
    return {"viewer_js_gzip_kb": size, "lighthouse_performance": score}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the site's address, e.g. http://127.0.0.1:8080")
    parser.add_argument(
        "--path", default="/", help="the viewer page to score, e.g. /?show=demo-show"
    )
    args = parser.parse_args()
    json.dump(measure(args.base_url, args.path), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
