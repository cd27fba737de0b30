"""Import rules: the layering contracts, and what start-up must not load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "diffusers", "ctranslate2", "textual", "ray")


def modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return set(out.stdout.split())


def test_help_imports_no_heavy_library():
    loaded = modules_after(
        "import sys; sys.argv=['worldforge','--help']\n"
        "from worldforge.cli import cli\n"
        "try:\n    cli(prog_name='worldforge')\nexcept SystemExit:\n    pass"
    )
    assert "worldforge.cli" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_core_and_store_stay_pure():
    loaded = modules_after("import worldforge.core, worldforge.store, worldforge.core.checks")
    assert not [m for m in loaded if m.split(".")[0] in (*HEAVY, "rich", "click")]


def test_import_linter_contracts_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_studio_start_up_imports_no_model_library(tmp_path):
    """Everything `worldforge open` does before the first frame: models load after it."""
    loaded = modules_after(
        "import os\n"
        f"os.environ['WORLDFORGE_HOME'] = {str(tmp_path)!r}\n"
        "import textual_image.widget\n"
        "from worldforge.conductor import Session, choose_image_engine, choose_text_engine\n"
        "from worldforge.tui.app import make_app\n"
        "session = Session.open('stories/socialist-gundam')\n"
        "text, image = choose_text_engine(session.story), choose_image_engine(session.story)\n"
        "make_app(session, text.engine, image.engine)"
    )
    assert "worldforge.tui.app" in loaded and "textual" in loaded
    assert not [m for m in loaded if m.split(".")[0] in ("torch", "transformers", "diffusers", "ctranslate2")]


def test_every_layer_imports_cleanly_on_its_own():
    import pkgutil

    import worldforge

    names = [
        m.name for m in pkgutil.walk_packages(worldforge.__path__, "worldforge.") if ".tui" not in m.name
    ]
    pure = [n for n in names if n.split(".")[1] in ("core", "store", "prompting", "export", "conductor")]
    loaded = modules_after("import importlib\n" + "\n".join(f"importlib.import_module({n!r})" for n in pure))
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_the_conductor_s_public_api_imports_no_model_library():
    loaded = modules_after("from worldforge.conductor import *")
    assert "worldforge.conductor.engines" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_the_conductor_exports_its_use_cases():
    import inspect

    import worldforge.conductor as conductor

    assert all(hasattr(conductor, name) for name in conductor.__all__)
    for name in ("Session", "new_story", "expand", "accept", "branch", "render", "render_all", "choose"):
        assert name in conductor.__all__
    # the functions, not their modules of the same name
    assert inspect.isfunction(conductor.expand) and inspect.isfunction(conductor.render)
