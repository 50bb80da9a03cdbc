"""WeasyPrint's C bindings prebuilt in cffi's out-of-line mode (guideline.writers.weasyprint_ffi): used when WeasyPrint's
ffi.py has the expected shape, the same PDF bytes as the plain import, and the plain import whenever anything is off.

Each case runs in a fresh interpreter (the bindings are chosen once per process, at the first import)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guideline.writers import weasyprint_ffi

pytest.importorskip("weasyprint")

REPO = Path(__file__).resolve().parent.parent

PROBE = textwrap.dedent("""
    import hashlib, json, sys
    from guideline.writers import pdf, pdf_html, weasyprint_ffi
    html = '''<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>確認</title></head><body><main>
    <section class="clause level-1" id="a"><h1 class="clause-heading"><span class="num">第1編</span>総則</h1>
    <div class="clause-body"><p>情報資産を<strong>脅威</strong>から守る。ABC 0123</p>
    <ol><li>機密性</li><li>完全性</li></ol>
    <table><tr><th>区分</th><td>機密性2</td></tr></table></div></section></main></body></html>'''
    data = pdf.render_html(html, True, pdf_html.css())["pdf"]
    import weasyprint.text.ffi as bindings
    print(json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "ffi": type(bindings.ffi).__module__,
                      "file": bindings.__file__}))
""")


def probe(tmp_path: Path, **env: str) -> dict:
    environ = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), **env}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=environ, cwd=REPO,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_prebuilt_bindings_give_the_same_pdf_and_are_kept_in_the_cache(tmp_path):
    plain = probe(tmp_path, GUIDELINE_WEASYPRINT_FFI="0")
    assert plain["ffi"] == "cffi.api"
    assert not (tmp_path / "cache" / "guideline" / "cffi").exists()

    first = probe(tmp_path)
    assert first["ffi"] == "_cffi_backend"  # out-of-line: type strings parsed in C
    assert first["sha256"] == plain["sha256"]
    assert first["file"] == plain["file"] and first["file"].endswith(os.path.join("weasyprint", "text", "ffi.py"))
    (cached,) = (tmp_path / "cache" / "guideline" / "cffi").glob("_guideline_weasyprint_*.py")
    text = cached.read_text(encoding="utf-8")
    assert text.startswith("# auto-generated file") and "_cffi_backend.FFI(" in text

    stamp = cached.stat().st_mtime_ns
    again = probe(tmp_path)
    assert again == first
    assert cached.stat().st_mtime_ns == stamp  # read, not written again


@pytest.mark.parametrize("damage", ["foreign", "truncated"])
def test_a_damaged_cache_entry_is_made_again(tmp_path, damage):
    first = probe(tmp_path)
    (cached,) = (tmp_path / "cache" / "guideline" / "cffi").glob("*.py")
    good = cached.read_text(encoding="utf-8")
    cached.write_text("raise SystemExit('this must not run')\n" if damage == "foreign" else good[:len(good) // 2],
                      encoding="utf-8")
    assert probe(tmp_path) == first
    assert cached.read_text(encoding="utf-8") == good


def test_an_unwritable_cache_still_uses_the_prebuilt_bindings(tmp_path):
    (tmp_path / "cache").write_text("a file where the cache directory would be", encoding="utf-8")
    result = probe(tmp_path)
    assert result["ffi"] == "_cffi_backend"
    assert result["sha256"] == probe(tmp_path / "other", GUIDELINE_WEASYPRINT_FFI="0")["sha256"]


SHAPED = "import cffi\n\nffi = cffi.FFI()\nffi.cdef('''\n    int f(int);\n    typedef int x;\n''')\n\n\nlib = 1\nvalue = f'{lib}'\n"


def test_the_adapted_source_keeps_every_line_number():
    adapted, declarations = weasyprint_ffi.adapt(SHAPED)
    assert declarations == "\n    int f(int);\n    typedef int x;\n"
    assert "cffi.FFI()" not in adapted and "ffi = _GUIDELINE_PREBUILT_FFI" in adapted
    original, new = SHAPED.splitlines(), adapted.splitlines()
    assert len(new) == len(original)
    assert new.index("lib = 1") == original.index("lib = 1")
    namespace = {"_GUIDELINE_PREBUILT_FFI": "prebuilt"}
    exec(compile(adapted, "ffi.py", "exec"), namespace)
    assert namespace["ffi"] == "prebuilt" and namespace["value"] == "1"


@pytest.mark.parametrize("source", [
    SHAPED.replace("lib = 1", "ffi.cdef('int g(int);')\nlib = 1"),  # declarations added later
    SHAPED + SHAPED,  # two of them
    SHAPED.replace("ffi = cffi.FFI()\n", "ffi = cffi.FFI(backend=None)\n"),  # another way of making it
    SHAPED.replace("''')", "'''"),  # unterminated
    SHAPED.replace("lib = 1", "other = cffi.FFI()\nlib = 1"),
])
def test_any_other_shape_is_left_alone(source):
    assert weasyprint_ffi.adapt(source) is None


def test_bindings_that_fail_to_load_fall_back_to_the_plain_import(tmp_path):
    script = textwrap.dedent("""
        import json
        from guideline.writers import weasyprint_ffi
        weasyprint_ffi.prebuilt_ffi = lambda declarations: object()  # no dlopen: running the adapted module fails
        weasyprint = weasyprint_ffi.import_weasyprint()
        import weasyprint.text.ffi as bindings
        pdf = weasyprint.HTML(string="<p>確認</p>").write_pdf()
        print(json.dumps({"ffi": type(bindings.ffi).__module__, "pdf": pdf[:5].decode()}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300,
                          env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"ffi": "cffi.api", "pdf": "%PDF-"}
