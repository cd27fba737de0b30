"""Import rules from DESIGN.md: layering contracts and what start-up must not load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "diffusers", "ctranslate2", "textual")


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
        "from worldforge.conductor.session import Session\n"
        "from worldforge.engines.text.registry import text_engine\n"
        "from worldforge.engines.image.registry import image_engine\n"
        "from worldforge.tui.app import make_app\n"
        "text_engine('tiny'); image_engine('tiny')\n"
        "make_app(Session.open('stories/socialist-gundam'), text_engine('tiny'), image_engine('tiny'))"
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
