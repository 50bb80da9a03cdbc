"""One option style for lists in every command (issue 23 item 11): ``-f a,b`` and ``-f a -f b`` mean the same, and
``build --help`` says first that HTML is what it builds by default."""
from __future__ import annotations

import importlib

import click
from click.testing import CliRunner
from conftest import REPO, visible_files

from guideline.cli import COMMANDS, cli

FIXTURE_SRC = REPO / "tests" / "fixtures" / "src"
DIFF_SRC = REPO / "tests" / "fixtures" / "diff" / "src"


def all_commands():
    for name, (module, _) in sorted(COMMANDS.items()):
        command = importlib.import_module(module).command
        stack = [(name, command)]
        while stack:
            path, cmd = stack.pop()
            yield path, cmd
            if isinstance(cmd, click.Group):
                stack.extend((f"{path} {sub}", c) for sub, c in cmd.commands.items())


def test_every_list_option_takes_commas_and_repetition():
    lists = []
    for path, cmd in all_commands():
        for param in cmd.params:
            if isinstance(param, click.Option) and param.multiple:
                lists.append(f"{path} {param.opts[0]}")
                assert getattr(param, "takes_lists", False), \
                    f"guideline {path} {param.opts[0]}: use commands.common.list_option"
    assert {"build --format", "diff --format", "comments report --format"} <= set(lists), lists


def test_build_formats_by_comma_or_repetition(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDELINE_SRC", str(FIXTURE_SRC))
    runner = CliRunner()
    one = runner.invoke(cli, ["build", "-e", "base", "-f", "html,docx", "-q", "-o", str(tmp_path / "a")])
    two = runner.invoke(cli, ["build", "-e", "base", "-f", "html", "--format", "docx", "-q", "-o",
                              str(tmp_path / "b")])
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    files = visible_files(tmp_path / "a")
    assert "base/guideline.docx" in files and "base/guideline.html" in files and "base/site/index.html" in files
    assert files.keys() == visible_files(tmp_path / "b").keys()
    assert not any(name.endswith(".pdf") for name in files)


def test_diff_formats_by_repetition(tmp_path, monkeypatch):
    monkeypatch.setenv("GUIDELINE_SRC", str(DIFF_SRC))
    result = CliRunner().invoke(cli, ["diff", "original", "combined", "-q", "-o", str(tmp_path / "d"),
                                      "-f", "json", "-f", "redline"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["changes.json", "redline.html"]


def test_unknown_name_in_a_list_is_a_usage_error():
    result = CliRunner().invoke(cli, ["build", "-f", "html,odt"])
    assert result.exit_code == 2
    assert "unknown format 'odt'; choose from all, html, pdf, docx" in result.output


def test_build_help_says_html_is_the_default():
    lines = CliRunner().invoke(cli, ["build", "--help"]).output.splitlines()
    first = next(line.strip() for line in lines[1:] if line.strip())
    assert first.startswith("Build an edition as HTML (the default;"), first
    assert "HTML by default" in COMMANDS["build"][1]
