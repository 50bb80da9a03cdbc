"""The rule registry: every rule has an ID, a family (its module), a default severity, a one-line summary, the
guidance it comes from, and whether ``--fix`` can repair it. Rules register themselves with :func:`rule` when
their module is imported (:func:`all_rules` imports them all)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

FAMILIES = ("forms", "width", "definitions", "placeholders", "references", "sentences")


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: str  # error | warning
    summary: str
    source: str  # 公用文作成の考え方 / 公用文における漢字使用等について / the textlint rule it corresponds to
    fixable: bool
    check: Callable

    def __str__(self) -> str:
        return self.id


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, summary: str, source: str, fixable: bool = False) -> Callable:
    """Register ``check(lint)`` as the rule ``rule_id`` of the calling module's family."""

    def register(check: Callable) -> Callable:
        family = check.__module__.rsplit(".", 1)[-1]
        RULES[rule_id] = Rule(rule_id, family, severity, summary, source, fixable, check)
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, in family order, then in the order each module defines them."""
    for family in FAMILIES:
        importlib.import_module(f"guideline.lint.{family}")
    order = {f: i for i, f in enumerate(FAMILIES)}
    return dict(sorted(RULES.items(), key=lambda kv: order.get(kv[1].family, len(order))))
