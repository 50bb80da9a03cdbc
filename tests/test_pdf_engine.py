"""guideline.writers.pdf_engine: which command lines start the PDF fork server before the command's own imports
(guideline.cli.run), and that such a start can never break a command."""
from __future__ import annotations

import subprocess
import sys

import pytest

from guideline import cli
from guideline.writers import pdf, pdf_engine


@pytest.mark.parametrize("argv, wanted", [
    (["build", "--format", "pdf"], True),
    (["build", "-f", "all", "-o", "out"], True),
    (["build", "-fpdf"], True),
    (["build", "--format=docx,pdf"], True),
    (["build"], False),  # html by default
    (["build", "--format=html", "-o", "pdf"], False),  # "pdf" as a directory name is no format
    (["build", "--format", "pdf", "--help"], False),
    (["diff", "r5-03", "draft"], False),  # a summary on the terminal
    (["diff", "r5-03", "draft", "-o", "out"], True),  # every output by default, the 新旧対照表 PDF among them
    (["diff", "r5-03", "draft", "-o", "out", "--format", "json,redline"], False),
    (["diff", "r5-03", "draft", "--output=out", "-f", "json", "-f", "comparison"], True),
    (["diff", "r5-03", "draft", "-o", "out", "--format", "comparison-pdf"], True),
    (["release", "r5-03"], True),
    (["check"], False),
    (["serve"], False),
    ([], False),
    (["--version"], False),
])
def test_which_command_lines_want_pdf(argv, wanted):
    assert pdf_engine.wants_pdf(argv) is wanted


def test_no_early_start_without_workers(monkeypatch):
    monkeypatch.setenv("GUIDELINE_PDF_WORKERS", "1")  # everything laid out in the command's own process
    assert not pdf_engine.wants_pdf(["build", "--format", "pdf"])


def test_an_early_start_that_fails_is_left_to_the_command(monkeypatch):
    started = []

    def broken() -> None:
        started.append(True)
        raise OSError("no room for the server's socket")

    monkeypatch.setattr(pdf_engine, "start_engine", broken)
    cli._start_pdf_engine(["build", "--format", "pdf"])  # no exception: the command starts the server itself
    cli._start_pdf_engine(["check"])
    assert started == [True]


def test_the_pdf_writer_uses_the_engine_module():
    assert pdf.start_engine is pdf_engine.start_engine and pdf._context is pdf_engine._context


def test_the_engine_module_imports_nothing_heavy():
    code = ("import sys; import guideline.writers.pdf_engine; "
            "print(sorted(m for m in ('weasyprint', 'pikepdf', 'jinja2', 'click', 'guideline.model') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
