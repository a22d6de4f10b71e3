"""Import batches are sized by time, so a colleague's save never waits long for the lock."""

from __future__ import annotations

from contacts_tui.services import imports


def write_people(path, count: int) -> None:
    lines = ["Name,E-mail"] + [f"Person {n},p{n}@example.com" for n in range(count)]
    path.write_text("\n".join(lines) + "\n")


def test_slow_batches_shrink_and_quick_ones_grow(service, tmp_path, monkeypatch):
    path = tmp_path / "people.csv"
    write_people(path, 700)
    monkeypatch.setattr(imports, "PAUSE_SECONDS", 0)
    steps: list[int] = []
    monkeypatch.setattr(imports, "BATCH_SECONDS", 1e-6)  # every batch takes too long
    imports.import_contacts(service, path, progress=lambda done, total: steps.append(done))
    assert steps[:4] == [0, 200, 220, 240]  # down to the smallest batch at once

    write_people(path, 1000)
    steps.clear()
    monkeypatch.setattr(imports, "BATCH_SECONDS", 1e6)  # every batch is quick
    imports.import_contacts(service, path, progress=lambda done, total: steps.append(done))
    assert steps[:4] == [0, 200, 600, 1000]  # doubling, no more, each time
    assert service.count() == 1700 - 700  # the second file's first 700 were duplicates


def test_a_batch_size_asked_for_is_kept(service, tmp_path, monkeypatch):
    path = tmp_path / "people.csv"
    write_people(path, 100)
    monkeypatch.setattr(imports, "BATCH_SECONDS", 1e-6)
    steps: list[int] = []
    imports.import_contacts(
        service, path, batch_size=30, progress=lambda done, total: steps.append(done)
    )
    assert steps == [0, 30, 60, 90, 100]
