"""The reference cache: reused when valid, recomputed when corrupt or stale."""
import json
import shutil

import pytest

from dlcheck import lockfile, reference
from dlcheck.bank import Bank
from dlcheck.cache import cache_dir


@pytest.fixture()
def own_cache(tmp_path, monkeypatch):
    """An empty cache, and no shipped lock to fill a miss (tests/test_lockfile.py tests that)."""
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(lockfile, "locked_parts", lambda problem: None)
    return tmp_path / "cache"


@pytest.fixture()
def counting(monkeypatch):
    calls = []
    real = reference.run_solver

    def counted(problem, bank):
        calls.append(problem.full_id)
        return real(problem, bank)
    monkeypatch.setattr(reference, "run_solver", counted)
    return calls


def entry_path(problem):
    return cache_dir() / f"v{reference.CACHE_FORMAT}" / "refs" / problem.set / f"{problem.id}.json"


def test_second_lookup_reads_the_cache(own_cache, counting, bank):
    problem = bank.problem("csc413-a2/3.1")
    first = reference.references(problem, bank)
    second = reference.references(problem, bank)
    assert counting == ["csc413-a2/3.1"]
    assert first["output"].value == second["output"].value
    assert json.loads(entry_path(problem).read_text())["problem"] == "csc413-a2/3.1"


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"key": 1}', b"\xff\xfe", b'{"key": "x", "parts": []}'])
def test_corrupt_entries_are_recomputed(own_cache, counting, bank, garbage):
    problem = bank.problem("csc413-a2/3.1")
    reference.references(problem, bank)
    entry_path(problem).write_bytes(garbage)
    refs = reference.references(problem, bank)
    assert refs["padding"].value == 1 and len(counting) == 2
    assert json.loads(entry_path(problem).read_text())["parts"]  # repaired on disk


def test_tampered_entry_with_the_right_key_but_bad_parts_is_not_trusted(own_cache, counting, bank):
    problem = bank.problem("csc413-a2/3.1")
    reference.references(problem, bank)
    data = json.loads(entry_path(problem).read_text())
    data["parts"]["not_a_part"] = {"value": 1, "steps": []}
    entry_path(problem).write_text(json.dumps(data))
    reference.references(problem, bank)
    assert len(counting) == 2


def test_editing_the_spec_changes_the_key(own_cache, counting, tmp_path):
    root = tmp_path / "problems"
    shutil.copytree(Bank().root / "csc413-a2", root / "csc413-a2")
    bank = Bank(root)
    reference.references(bank.problem("csc413-a2/3.1"), bank)
    spec = root / "csc413-a2" / "3.1.yaml"
    spec.write_text(spec.read_text().replace("- [0, 0, 1, 0, 0]", "- [0, 0, 1, 0, 1]"))
    fresh = Bank(root)
    refs = reference.references(fresh.problem("csc413-a2/3.1"), fresh)
    assert len(counting) == 2 and refs["output"].value[4][4] != 0


def test_no_cache_bypasses(own_cache, counting, bank):
    problem = bank.problem("csc413-a2/3.1")
    reference.references(problem, bank, use_cache=False)
    reference.references(problem, bank, use_cache=False)
    assert len(counting) == 2 and not entry_path(problem).exists()


def test_unwritable_cache_only_costs_speed(tmp_path, monkeypatch, bank):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("DLCHECK_CACHE_DIR", str(blocker / "cache"))
    assert reference.references(bank.problem("csc413-a2/3.1"), bank)["padding"].value == 1
