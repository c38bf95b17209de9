"""Every claim file in proofs/ is complete and points at tests that exist, and every
proofs/<id>.md cited by a test exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROOFS = sorted(p for p in (ROOT / "proofs").glob("*.md") if p.name != "README.md")
TEST_SOURCES = {p.name: p.read_text() for p in (ROOT / "tests").glob("test_*.py")}


@pytest.mark.parametrize("path", PROOFS, ids=[p.stem for p in PROOFS])
def test_claim_file_has_statement_provenance_proof_and_tests(path):
    text = path.read_text()
    assert text.startswith(f"# {path.stem}"), "title must be the claim id"
    for section in ("**Statement", "**Provenance", "**Tests"):
        assert section in text, f"{path.name} lacks {section}**"
    assert "**Proof" in text or "conjecture" in text.lower() or "EMPIRICAL" in text, \
        f"{path.name}: neither a proof nor labelled a conjecture"
    tests = text[text.index("**Tests"):]
    named = re.findall(r"test_[A-Za-z0-9_]+", tests)
    assert named, f"{path.name} names no test"
    for name in named:
        if name.endswith("_py") or name in TEST_SOURCES or name + ".py" in TEST_SOURCES:
            continue  # a file name, not a function
        assert any(f"def {name}(" in src for src in TEST_SOURCES.values()), \
            f"{path.name} cites {name}, which is not a test function"


def test_every_cited_claim_file_exists():
    cited = set()
    for src in TEST_SOURCES.values():
        cited |= set(re.findall(r"proofs/([A-Za-z0-9_.-]+?)\.md", src))
    missing = sorted(c for c in cited if not (ROOT / "proofs" / f"{c}.md").exists()
                     and c != "<id>" and "<" not in c)
    assert not missing, f"tests cite missing claim files: {missing}"


SYMPY_BLOCK = re.compile(r"\*\*Sympy check\.\*\*.*?```python\n(.*?)```", re.S)


def _sympy_scripts():
    out = []
    for path in PROOFS:
        m = SYMPY_BLOCK.search(path.read_text())
        if m:
            out.append((path.stem, m.group(1)))
    return out


SCRIPTS = _sympy_scripts()


@pytest.mark.parametrize("cid,script", SCRIPTS, ids=[c for c, _ in SCRIPTS])
def test_sympy_script_in_proof_file_proves_the_identity(cid, script):
    """Each identity's proof file carries a sympy script (under ``**Sympy check.**``) that
    proves the identity over generic symbols with asserts; it must run and assert."""
    assert "assert" in script, f"{cid}: the sympy script asserts nothing"
    namespace = {"__name__": f"proofs.{cid}"}
    exec(compile(script, f"proofs/{cid}.md", "exec"), namespace)


def test_every_identity_has_a_sympy_script():
    from identifiability import theorems

    identities = {t.id for t in theorems.theorems() if t.identity}
    have = {c for c, _ in SCRIPTS}
    assert identities <= have, f"identities without a sympy script: {sorted(identities - have)}"
    assert have <= identities, f"sympy scripts for claims not flagged identity=True: " \
                               f"{sorted(have - identities)}"
