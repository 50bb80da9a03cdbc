"""guideline.gcscope: the collection threshold is raised only inside the scope; keep_until_exit keeps objects only in
a CLI run that ends without interpreter teardown."""
import gc
import weakref

from guideline import gcscope


class Thing:
    pass


def test_fewer_collections_restores_the_threshold():
    before = gc.get_threshold()
    with gcscope.fewer_collections():
        assert gc.get_threshold() == gcscope.THRESHOLD
        with gcscope.fewer_collections():  # nested: unchanged
            assert gc.get_threshold() == gcscope.THRESHOLD
        assert gc.get_threshold() == gcscope.THRESHOLD
    assert gc.get_threshold() == before


def _kept_after_release(monkeypatch, exiting: bool) -> bool:
    """Hand a new object to keep_until_exit, drop our reference, collect: is it still alive?"""
    monkeypatch.setattr(gcscope, "EXITING_WITHOUT_TEARDOWN", exiting)
    thing = Thing()
    ref = weakref.ref(thing)
    gcscope.keep_until_exit(thing)
    del thing
    gc.collect()
    return ref() is not None


def test_keep_until_exit_only_when_exiting_without_teardown(monkeypatch):
    monkeypatch.setattr(gcscope, "_kept", [])
    assert not _kept_after_release(monkeypatch, exiting=False)  # freed as usual: tests, guideline serve
    assert gcscope._kept == []
    assert _kept_after_release(monkeypatch, exiting=True)  # a CLI run: left to the process end
    assert len(gcscope._kept) == 1 and isinstance(gcscope._kept[0], Thing)


def test_paused_and_frozen_restore_the_collector():
    assert gc.isenabled()
    with gcscope.paused():
        assert not gc.isenabled()
        with gcscope.paused():  # nested: still off, and not switched on by the inner block
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    before = gc.get_freeze_count()
    with gcscope.frozen():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == before == 0
