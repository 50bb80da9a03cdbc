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


def test_keep_until_exit_only_when_exiting_without_teardown(monkeypatch):
    monkeypatch.setattr(gcscope, "_kept", [])
    monkeypatch.setattr(gcscope, "EXITING_WITHOUT_TEARDOWN", False)
    thing = Thing()
    ref = weakref.ref(thing)
    gcscope.keep_until_exit(thing)
    del thing
    gc.collect()
    assert ref() is None  # freed as usual: tests, guideline serve

    monkeypatch.setattr(gcscope, "EXITING_WITHOUT_TEARDOWN", True)
    thing = Thing()
    ref = weakref.ref(thing)
    gcscope.keep_until_exit(thing)
    del thing
    gc.collect()
    assert ref() is not None and gcscope._kept == [ref()]
