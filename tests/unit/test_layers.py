"""The import contracts in pyproject.toml (DESIGN.md's floors) hold, and do catch a breach.

`lint-imports` reads the code, not what a run happens to load: an import in a function
that a test never calls counts too.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import contacts_tui

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Where each contract's planted breach goes, what it adds, and the line (or one of the
# lines) lint-imports must print about it.
PLANTED = {
    "Floors only point down": (
        "widgets/keys_footer.py",
        "from contacts_tui.dialogs import confirm",
        "contacts_tui.widgets.keys_footer -> contacts_tui.dialogs.confirm",
    ),
    "Nothing below the UI imports Textual, Rich or the UI": (
        "validation.py",
        "import textual",
        "contacts_tui.validation -> textual",
    ),
    "The UI reaches the store only through services": (
        "dialogs/confirm.py",
        "from contacts_tui.store import models",
        "contacts_tui.dialogs.confirm -> contacts_tui.store.models",
    ),
    "No circle between the modules of a package": (
        "locations.py",
        "import contacts_tui.safe_text",
        # the side of the circle it offers to cut (the other half is planted below)
        (".locations -> .safe_text", ".safe_text -> .locations"),
    ),
}


UI_AND_ABOVE = {"__main__", "cli", "app", "screens", "panels", "dialogs", "widgets"}


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the contacts_tui package and pyproject.toml found in `project`."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_each_planted_breach_breaks_its_contract(tmp_path):
    """A copy of the package with one wrong import per contract: each contract fails and
    names the import."""
    shutil.copytree(
        ROOT / "contacts_tui",
        tmp_path / "contacts_tui",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for path, line, _ in PLANTED.values():
        with (tmp_path / "contacts_tui" / path).open("a", encoding="utf-8") as module:
            module.write(f"\n{line}  # planted by the test\n")
    # The other half of the circle.
    with (tmp_path / "contacts_tui" / "safe_text.py").open("a", encoding="utf-8") as module:
        module.write("\nimport contacts_tui.locations  # planted by the test\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 0 kept, 4 broken." in result.stdout, result.stdout
    for name, (_, _, reported) in PLANTED.items():
        assert name in result.stdout
        either = (reported,) if isinstance(reported, str) else reported
        assert any(line in result.stdout for line in either), f"{name}: not reported"


def test_every_module_below_the_ui_is_under_the_no_textual_contract():
    """A module added beside the others is checked too, not forgotten by the contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(
        c
        for c in config["tool"]["importlinter"]["contracts"]
        if c["id"] == "no-textual-below-the-ui"
    )
    below_the_ui = {
        f"contacts_tui.{module.name}"
        for module in pkgutil.iter_modules(contacts_tui.__path__)
        if module.name not in UI_AND_ABOVE
    }
    assert below_the_ui == set(contract["source_modules"])


def test_the_services_door_passes_on_every_name_it_lists():
    """The UI imports the store's vocabulary from services (the contracts forbid the
    store): a name left in __all__ after its import went would fail only when a screen
    asked for it."""
    import contacts_tui.services as services

    missing = [name for name in services.__all__ if not hasattr(services, name)]
    assert missing == []
