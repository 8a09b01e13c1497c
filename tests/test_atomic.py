"""One atomic-write helper: a file appears whole or not at all, and an old one survives a failed write."""
import pytest

from livemorph.atomic import atomic_write


def test_a_clean_write_appears_under_its_name_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "sub" / "state.yaml"
    with atomic_write(target) as tmp:
        assert not target.exists()  # nothing under the real name while writing
        tmp.write_text("a: 1\n")
    assert target.read_text() == "a: 1\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["state.yaml"]


@pytest.mark.parametrize("folder, unique", [(False, False), (True, False), (True, True), (False, True)])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path, folder, unique):
    target = tmp_path / "cache"
    target.write_text("old") if not folder else None
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target, folder=folder, unique=unique) as tmp:
            (tmp / "part.npy").write_bytes(b"x") if folder else tmp.write_text("half")
            raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == ([] if folder else ["cache"])
    if not folder:
        assert target.read_text() == "old"
