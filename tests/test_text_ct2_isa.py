"""CTranslate2 is asked for AVX-512 only where the CPU has it and nobody chose otherwise, and
a build that refuses it is asked again with its own choice."""

from __future__ import annotations

import os

import pytest

from worldforge.engines.text import ct2_isa
from worldforge.engines.text.ct2_isa import VARIABLE, built_with_avx512, cpu_flags, prefer_avx512

ZEN4 = {"sse4_2", "avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_vnni"}


@pytest.fixture
def unset(monkeypatch):
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.setattr(ct2_isa, "_refused", False)


def test_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n\nprocessor\t: 1\nflags\t: fpu\n")
    assert cpu_flags(cpuinfo) == {"fpu", "avx2", "avx512f"}
    assert cpu_flags(tmp_path / "missing") == set()


def test_avx512_is_asked_for_only_where_the_cpu_has_it(unset):
    assert not prefer_avx512({"avx2", "avx512f"})  # AVX-512 foundation alone is not enough
    assert VARIABLE not in os.environ
    assert prefer_avx512(ZEN4)
    assert os.environ[VARIABLE] == "AVX512"


def test_the_users_choice_is_kept(unset, monkeypatch):
    monkeypatch.setenv(VARIABLE, "AVX2")
    assert not prefer_avx512(ZEN4)
    assert os.environ[VARIABLE] == "AVX2"


def test_a_build_without_avx512_is_asked_again_with_its_own_choice(unset, monkeypatch):
    monkeypatch.setattr(ct2_isa, "cpu_flags", lambda: ZEN4)
    asked: list[str | None] = []

    def build() -> str:
        asked.append(os.environ.get(VARIABLE))
        if os.environ.get(VARIABLE) == "AVX512":
            raise ValueError("This CTranslate2 binary was not compiled with AVX512 support")
        return "generator"

    assert built_with_avx512(build) == "generator"
    assert asked == ["AVX512", None]
    asked.clear()
    assert built_with_avx512(build) == "generator"  # not asked for it again
    assert asked == [None]


def test_other_failures_are_not_taken_for_a_refusal(unset, monkeypatch):
    monkeypatch.setattr(ct2_isa, "cpu_flags", lambda: ZEN4)

    def build() -> str:
        raise ValueError("Unable to open file 'model.bin'")

    with pytest.raises(ValueError, match="model.bin"):
        built_with_avx512(build)
