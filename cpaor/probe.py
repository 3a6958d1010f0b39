"""The container's health check: `python -m cpaor.probe [path]` exits 0 when gunicorn
answers 200 on /healthz (or path), else 1.

Standard library only, so it costs a few milliseconds rather than a Django start. It
asks with the first name in ALLOWED_HOSTS, which the portal accepts, and as if through
the proxy (X-Forwarded-Proto: https), so PRODUCTION=1's HTTPS redirect does not answer
instead of the page.
"""

import os
import sys
import urllib.error
import urllib.request


def host_header(allowed_hosts: str) -> str:
    for name in allowed_hosts.split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def probe(path: str = "/healthz", port: str | None = None, timeout: float = 5) -> int:
    port = port or os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={
            "Host": host_header(os.environ.get("ALLOWED_HOSTS", "localhost")),
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"probe {path}: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"probe {path}: HTTP {status}", file=sys.stderr)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(probe(*sys.argv[1:2]))
