"""One module owns the paths (layout.py): the bank, the bundled answers, the cache, data sets."""
from pathlib import Path

from conftest import ROOT
from dlcheck import cache, layout
from dlcheck.bank import Bank, default_root
from dlcheck.training import data


def test_the_bank_is_the_projects_unless_the_environment_names_another(monkeypatch, tmp_path):
    monkeypatch.delenv(layout.PROBLEMS_ENV, raising=False)
    assert layout.bank_root() == default_root() == ROOT / "problems"
    monkeypatch.setenv(layout.PROBLEMS_ENV, str(tmp_path))
    assert Bank().root == tmp_path and layout.answers_root(tmp_path) == tmp_path.parent / "answers"


def test_data_sets_come_from_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(layout.DATA_ENV, raising=False)
    assert data.data_dir() is None
    monkeypatch.setenv(layout.DATA_ENV, str(tmp_path / "env"))
    assert data.data_dir() == tmp_path / "env"
    assert data.data_dir(str(tmp_path / "given")) == tmp_path / "given"


def test_the_cache_is_where_the_layout_says(monkeypatch, tmp_path):
    monkeypatch.setenv(layout.CACHE_ENV, str(tmp_path / "c"))
    assert cache.cache_dir() == layout.cache_dir() == Path(tmp_path / "c")
