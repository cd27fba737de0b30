"""The picture panel's credential line: what `worldforge verify` says of one picture,
in one line. Reading a manifest and validating its signature takes milliseconds to tens of
them, so the studio does it in a worker, never while drawing."""

from __future__ import annotations

from worldforge.store.credentials import TAMPERED, UNSIGNED, check_name, read_credential


def credential_line(name: str, data: bytes) -> tuple[str, str]:
    """(state, line) for a story's picture `name` with these bytes."""
    credential = check_name(name, read_credential(data))
    if credential.state == UNSIGNED:
        return UNSIGNED, "○ unsigned: no content credentials (made before worldforge signed, or stripped)"
    if credential.state == TAMPERED:
        reason = credential.problems[0] if credential.problems else "the signature does not match"
        return TAMPERED, f"✗ tampered: {reason}"
    trust = "trusted" if credential.trusted else "untrusted signer"
    signer = credential.signer or "unknown signer"
    return credential.state, f"✓ content credentials valid · {credential.model or '?'} · {signer} ({trust})"
