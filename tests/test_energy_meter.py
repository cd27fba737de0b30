"""Each generation is metered by codecarbon when it is installed and on; estimates say so."""

from __future__ import annotations

import glob
import sys
import threading

import pytest

from tests.image_support import make_story_dir, tiny_settings
from worldforge.conductor import energy
from worldforge.conductor.expand import expand
from worldforge.conductor.render import render
from worldforge.engines.text.protocol import TextSettings
from worldforge.store import StoryFolder

from .text_story import make_story

pytest.importorskip("codecarbon")

SETTINGS = TextSettings(max_new_tokens=12, candidates=3, seed=3, stop="tokens")


@pytest.fixture
def metering(monkeypatch):
    monkeypatch.setenv(energy.OFF_ENV, "on")
    monkeypatch.setenv(energy.INTENSITY_ENV, "100")
    monkeypatch.delenv(energy.COUNTRY_ENV, raising=False)


def rapl_readable() -> bool:
    for path in glob.glob("/sys/class/powercap/*rapl*/energy_uj"):
        try:
            with open(path) as handle:
                handle.read()
            return True
        except OSError:
            continue
    return False


def test_expand_records_metered_energy_beside_the_flop_estimate(metering, tiny_torch_engine):
    story = make_story()
    expand(story, "start", tiny_torch_engine, SETTINGS)
    records = story.scene("start").provenance
    assert len(records) == 3
    for record in records:
        assert record.flops and record.energy_wh  # the estimate stays
        metered = record.energy
        assert metered is not None and metered.kwh > 0
        assert metered.ram == "estimated"  # codecarbon models RAM from its size, always
        if not rapl_readable():
            # no hardware counter here: a power model, and the record must say so
            assert metered.cpu == "estimated"
            assert "CPU load x TDP" in metered.method or "CPU TDP" in metered.method
        assert metered.co2e_kg == pytest.approx(metered.kwh * 100 / 1000, rel=1e-6)
        assert metered.grid == "100 g/kWh (set)" and "codecarbon" in metered.method
    shares = [r.energy.share for r in records]
    assert sum(shares) == pytest.approx(1.0, abs=1e-5)
    walls = [r.wall_s for r in records]
    ratio = records[0].energy.kwh / shares[0]
    assert all(r.energy.kwh / r.energy.share == pytest.approx(ratio) for r in records)
    assert shares[0] == pytest.approx(walls[0] / sum(walls), abs=1e-3)


def test_render_records_metered_energy(metering, tmp_path, tiny_image):
    folder = StoryFolder.open(make_story_dir(tmp_path / "lamp"))
    batch = render(folder, "storm", tiny_image, tiny_settings(candidates=2))
    assert all(p.energy is not None and p.energy.kwh > 0 for p in batch.provenance)
    folder.save()
    again = StoryFolder.open(folder.root).story.scene("storm").provenance
    assert [p.energy for p in again] == [p.energy for p in batch.provenance]


def test_metering_off_keeps_the_flop_only_record(monkeypatch, tiny_torch_engine):
    monkeypatch.setenv(energy.OFF_ENV, "off")
    story = make_story()
    expand(story, "start", tiny_torch_engine, SETTINGS)
    assert all(p.energy is None and p.flops and p.energy_wh for p in story.scene("start").provenance)


def test_without_codecarbon_nothing_is_metered(metering, monkeypatch, tiny_torch_engine):
    monkeypatch.setitem(sys.modules, "codecarbon", None)  # import codecarbon now fails
    assert not energy.enabled()
    story = make_story()
    expand(story, "start", tiny_torch_engine, SETTINGS)
    assert all(p.energy is None and p.energy_wh for p in story.scene("start").provenance)


def test_codecarbon_config_in_the_current_folder_cannot_turn_outputs_on(metering, tmp_path, monkeypatch):
    (tmp_path / ".codecarbon.config").write_text(
        "[codecarbon]\nsave_to_file = true\noutput_methods = csv,api\nemissions_endpoint = http://127.0.0.1:9\n"
        "api_endpoint = http://127.0.0.1:9\noutput_dir = .\nlog_level = debug\n"
    )
    monkeypatch.chdir(tmp_path)
    meter = energy.Meter(energy.grid_settings())
    with meter.track() as readings:
        sum(range(100_000))
    assert readings and readings[0].grid == "100 g/kWh (set)"
    meter._tracker.stop()  # where codecarbon writes its outputs, had any been turned on
    assert sorted(p.name for p in tmp_path.iterdir()) == [".codecarbon.config"]
    assert meter.error is None


def test_a_second_concurrent_call_is_not_metered(metering):
    meter = energy.Meter(energy.grid_settings())
    inner: list[list[energy.Reading]] = []
    with meter.track() as outer:

        def other() -> None:
            with meter.track() as readings:
                inner.append(readings)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert outer and inner == [[]]


def test_a_malformed_grid_intensity_is_an_error(monkeypatch):
    monkeypatch.setenv(energy.INTENSITY_ENV, "lots")
    with pytest.raises(ValueError, match="not a number"):
        energy.grid_settings()
