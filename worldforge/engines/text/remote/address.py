"""Where a model server is, and what of that may be shown or stored.

A user names a server by URL (`http://host:8080/v1` or `http://host:8080`). The completion
API lives under `/v1`; the tokenizer and property endpoints of llama.cpp, vLLM and KoboldCpp
live at the server's root, so both are kept. Credentials in the URL (`user:pass@`) and its
query are for the HTTP client only: the public form, which stories, provenance, logs and
messages use, has them stripped. The API key comes from the environment and is never part
of any text worldforge writes; `redact` removes it from text a server sent back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

KEY_VARIABLES = ("WORLDFORGE_API_KEY", "OPENAI_API_KEY")
SCHEMES = ("http://", "https://")


def is_server_url(choice: str | None) -> bool:
    """Whether an engine choice names a model server rather than a model."""
    return bool(choice) and str(choice).lower().startswith(SCHEMES)


def api_key() -> str | None:
    """The key for the server: WORLDFORGE_API_KEY, else OPENAI_API_KEY, else none."""
    for name in KEY_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


@dataclass(frozen=True)
class ServerAddress:
    """A server's URLs: `root` and `api` (`…/v1`) for requests, `public` for people."""

    root: str
    api: str
    public: str
    key: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> ServerAddress:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{_public(url)!r} is not an http(s) URL of a server")
        path = parts.path.rstrip("/")
        base = path[: -len("/v1")] if path.endswith("/v1") else path
        root = urlunsplit((parts.scheme, parts.netloc, base, "", ""))
        return cls(root=root, api=root + "/v1", public=_public(root) + "/v1", key=api_key())

    def redact(self, text: str) -> str:
        """`text` with the API key and the URL's credentials taken out."""
        secrets = [self.key] if self.key else []
        parts = urlsplit(self.root)
        secrets += [s for s in (parts.username, parts.password) if s]
        for secret in secrets:
            text = text.replace(secret, "***")
        return text


def _public(url: str) -> str:
    """A URL as it may be shown: no credentials, no query."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
