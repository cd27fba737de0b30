"""What a model server can do, asked once when the engine loads: which model it serves,
how large its window is, whether it can count tokens, whether it honours `n`.

Servers differ in what they tell. The served model comes from `GET /v1/models` (all of
them). The window: llama.cpp's `GET /props` (`n_ctx`), vLLM's `max_model_len` on the model,
llama.cpp's `meta.n_ctx_train`; llama-cpp-python says nothing, so the window falls back to
the caller's. The model size, where told (llama.cpp's `meta.n_params`), makes a FLOP
estimate possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from worldforge.engines.text.remote.client import ServerClient, ServerError

PROBE_PROMPT = "\n"


@dataclass(frozen=True)
class ServedModel:
    id: str
    window: int | None
    window_source: str
    parameters: int


def served_model(client: ServerClient) -> ServedModel:
    """The (first) model the server serves, and what it says about its window and size."""
    reply = client.get("/models")
    data = reply.get("data") if isinstance(reply, dict) else None
    if not isinstance(data, list) or not data or not isinstance(data[0], dict) or "id" not in data[0]:
        raise client.malformed("/v1/models", "no model list")
    model: dict[str, Any] = data[0]
    meta = model.get("meta") if isinstance(model.get("meta"), dict) else {}
    assert isinstance(meta, dict)
    window, source = _window(client, model, meta)
    parameters = meta.get("n_params")
    return ServedModel(str(model["id"]), window, source, parameters if isinstance(parameters, int) else 0)


def _window(client: ServerClient, model: dict[str, Any], meta: dict[str, Any]) -> tuple[int | None, str]:
    props = client.optional("GET", "~/props")
    if isinstance(props, dict):
        settings = props.get("default_generation_settings")
        for where, value in (("n_ctx", props.get("n_ctx")), ("n_ctx", _get(settings, "n_ctx"))):
            if isinstance(value, int) and value > 0:
                return value, f"the server's /props {where}"
    if isinstance(model.get("max_model_len"), int):
        return int(model["max_model_len"]), "the server's max_model_len"
    if isinstance(meta.get("n_ctx_train"), int):
        return int(meta["n_ctx_train"]), "the model's n_ctx_train"
    return None, ""


def _get(mapping: object, key: str) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None


def honours_n(client: ServerClient, model: str) -> bool:
    """Whether one request with `n: 2` gets two choices (llama-cpp-python answers with one;
    some servers refuse the field): a one-token request, asked once per engine."""
    body = {"model": model, "prompt": PROBE_PROMPT, "max_tokens": 1, "n": 2, "seed": 0, "stream": False}
    try:
        reply = client.post("/completions", body)
    except ServerError:
        # a server that refuses `n` says so with a 4xx; one that is down fails the next call too
        return False
    choices = reply.get("choices") if isinstance(reply, dict) else None
    return isinstance(choices, list) and len({_get(c, "index") for c in choices}) >= 2
