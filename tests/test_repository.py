"""The repository's own promises: CI runs the README's test command; citations of the
reference study resolve inside the repository."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text):
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_the_readme_test_command():
    blocks = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    test_cmd = [b for b in blocks if "pytest" in b]
    assert len(test_cmd) == 1, "README must show exactly one test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_cmd[0] in ci, ".ci/run must run the README's test command verbatim"


def test_readme_main_command_runs_the_reference_cases():
    blocks = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any("cases/" in b and "pip install" in b for b in blocks)


# --- the reference study: citations point into docs/reference-study.md ---------------

STUDY = ROOT / "docs" / "reference-study.md"
# The old citations named a design document outside the repository. Spelled in pieces so
# that this file does not match itself; "DES" + "IGN CONDITIONS" is an EPW header line.
_WORD = "DES" + "IGN"
OUTSIDE_DOC = re.compile(rf"\b{_WORD}(?! CONDITIONS)|{_WORD.lower()} brief")
# "docs/reference-study.md §7", "reference study §8", "(reference study, R2)", "... R3"
TEXT_CITATION = re.compile(r"reference[- ]study(?:\.md)?(?:'s)?,? (§\d+|R\d+)\b")
LINK = re.compile(r"reference-study\.md#([^)\s\"'>]+)")


def _tracked_text_files():
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    for name in filter(None, out.split("\0")):
        path = ROOT / name
        try:
            yield name, path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):  # binary (PNG, gzip) or removed
            continue


def github_anchor(title: str) -> str:
    """The anchor GitHub gives a Markdown heading: inline markup dropped, lowercase,
    punctuation dropped (letters, digits, '_', '-' and spaces stay), spaces → '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)  # [text](url) → text
    text = text.replace("`", "").replace("*", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def headings(markdown: str) -> list[str]:
    """Heading titles of a Markdown text, outside fenced code blocks."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)):
            out.append(m.group(1))
    return out


def anchors(markdown: str) -> set[str]:
    """All heading anchors, with GitHub's -1, -2 … suffixes for repeated headings."""
    seen: dict[str, int] = {}
    out = set()
    for title in headings(markdown):
        a = github_anchor(title)
        n = seen.get(a, 0)
        seen[a] = n + 1
        out.add(a if n == 0 else f"{a}-{n}")
    return out


def test_github_anchor_rules():
    assert github_anchor("§7 The reference case") == "7-the-reference-case"
    assert github_anchor("R2 Borefield, ground and fluid") == "r2-borefield-ground-and-fluid"
    assert github_anchor("What the study does *not* report") == "what-the-study-does-not-report"
    assert github_anchor("`T_supply` and °C") == "t_supply-and-c"
    assert anchors("# A\n```\n# not a heading\n```\n## A\n") == {"a", "a-1"}


def test_no_citation_of_a_document_outside_the_repository():
    bad = [
        f"{name}:{no}: {line.strip()[:100]}"
        for name, text in _tracked_text_files()
        if name != "docs/reference-study.md"
        for no, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE_DOC.search(line)
    ]
    assert not bad, "cite docs/reference-study.md instead:\n" + "\n".join(bad)


def test_reference_study_links_and_citations_resolve():
    study = STUDY.read_text(encoding="utf-8")
    known = anchors(study)
    # every section and table the code cites has its own heading
    firsts = {t.split()[0] for t in headings(study)}
    for token in ("§1", "§2", "§3", "§4", "§6", "§7", "§8", "R2", "R3", "R5", "R6", "R7"):
        assert token in firsts, f"docs/reference-study.md has no heading for {token}"
    assert "what-the-study-does-not-report" in known
    bad = []
    for name, text in _tracked_text_files():
        targets = set(LINK.findall(text)) if name.endswith(".md") else set()
        if name == "docs/reference-study.md":
            targets |= set(re.findall(r"\]\(#([^)\s]+)\)", text))
        bad += [f"{name}: link #{a} (no such heading)" for a in sorted(targets - known)]
        cited = set(TEXT_CITATION.findall(text))
        bad += [f"{name}: cites {t} (no such heading)" for t in sorted(cited - firsts)]
    assert not bad, "\n".join(bad)
