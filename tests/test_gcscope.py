"""guideline.gcscope: the collection threshold is raised only inside the scope; the collector is restored."""
import gc

from guideline import gcscope


def test_fewer_collections_restores_the_threshold():
    before = gc.get_threshold()
    with gcscope.fewer_collections():
        assert gc.get_threshold() == gcscope.THRESHOLD
        with gcscope.fewer_collections():  # nested: unchanged
            assert gc.get_threshold() == gcscope.THRESHOLD
        assert gc.get_threshold() == gcscope.THRESHOLD
    assert gc.get_threshold() == before


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
