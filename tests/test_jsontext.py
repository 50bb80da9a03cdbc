"""guideline.jsontext.dumps writes what json.dumps(..., ensure_ascii=False, sort_keys=True, indent=n) writes."""
from __future__ import annotations

import json
import random

import pytest

from guideline import jsontext


def reference(obj: object, indent: int) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=indent)


SAMPLES = [
    {},
    [],
    "",
    None,
    True,
    0,
    -1.5,
    float("nan"),
    float("inf"),
    -float("inf"),
    1e300,
    2 ** 70,
    {"b": [], "a": {}, "c": [[], {}, [1, [2, {"z": None}]]]},
    {"本文": "第1章「総則」\n\t\"引用\" \\ \u0000 \u001f \u2028 🙂", "ａ": ["全角", "半角", 3.25]},
    ("a", ("b",), []),
    [True, False, None, 0.1, -0.0, 10 ** 20],
]


@pytest.mark.parametrize("indent", [0, 1, 2, 4])
@pytest.mark.parametrize("obj", SAMPLES, ids=range(len(SAMPLES)))
def test_the_same_text_as_json_dumps(obj, indent):
    assert jsontext.dumps(obj, indent) == reference(obj, indent)


def test_random_nested_structures():
    rng = random.Random(8)
    words = ["", "a", "第3章", "\"q\"", "\\", "\n", "é", "Z", "10", "0a"]

    def make(depth: int) -> object:
        kind = rng.randrange(8 if depth < 5 else 5)
        if kind == 0:
            return rng.choice(words)
        if kind == 1:
            return rng.randint(-10 ** 6, 10 ** 6)
        if kind == 2:
            return rng.uniform(-1e6, 1e6)
        if kind == 3:
            return rng.choice([None, True, False])
        if kind == 4:
            return rng.random() < 0.5 and [] or {}
        if kind in (5, 6):
            return {rng.choice(words) + str(i): make(depth + 1) for i in range(rng.randrange(5))}
        return [make(depth + 1) for _ in range(rng.randrange(5))]

    for _ in range(300):
        obj = make(0)
        assert jsontext.dumps(obj, 1) == reference(obj, 1)


def test_what_it_was_not_written_for_is_left_to_json_dumps():
    class Text(str):
        pass

    for obj in ({1: "a", 2: "b"}, {"k": Text("v")}, {"x": [{2.5: True, 1.5: None}]}):
        assert jsontext.dumps(obj, 1) == reference(obj, 1)
    with pytest.raises(TypeError):
        jsontext.dumps({1: "a", "b": 2}, 1)  # as json.dumps: keys that cannot be sorted
    with pytest.raises(TypeError):
        jsontext.dumps({"x": {1, 2}}, 1)  # as json.dumps: a set is not JSON
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        jsontext.dumps(loop, 1)
