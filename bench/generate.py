"""Generate a full-size synthetic edition (and a revision of it) for the benchmark.

    python bench/generate.py bench/work            # writes bench/work/{nisc,base,revised}

The base edition has about 2,000 clauses and 480,000 Japanese characters in the real guideline's shape
(第1編 総則, 第2編 基本方針 + 対策基準 9 chapters with sections, items and sub-items), NISC mappings on most
対策基準 clauses and 解説 on about 60% of them; bodies hold paragraphs, (ア)(イ) lists, bullet lists, a few tables,
placeholders, **strong** text, cross-references to sections and network-model metadata. The revision changes about
5% of the clauses in every way the diff recognises: wording edits, 解説 edits, insertions (renumbering their
followers), deletions, moves to another parent, reorders among siblings, splits, merges, ID changes, mapping-only
changes (added, removed and changed relationships), model changes and heading changes, with lineage metadata on part
of the splits, merges and ID changes.
Everything is derived from a fixed seed: the same command writes the same files.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CATALOG = REPO / "guideline_src" / "nisc" / "nisc-r7.yaml"

SUBJECTS = ["統括情報セキュリティ責任者", "情報システム管理者", "職員等", "情報セキュリティ管理者", "{{○○課長}}",
            "CISO", "委託事業者", "情報システム担当者", "情報セキュリティ委員会", "{{本市}}"]
OBJECTS = ["情報資産", "端末", "サーバ装置", "外部記録媒体", "クラウドサービス", "通信回線", "ログ", "利用者ID",
           "パスワード", "バックアップ", "ソフトウェア", "ネットワーク機器", "機密性2以上の情報", "住民の個人情報"]
ACTIONS = ["適切に管理しなければならない", "定期的に確認しなければならない", "記録し、保存しなければならない",
           "必要な措置を講じなければならない", "不正な利用を防止しなければならない", "手順を定めなければならない",
           "許可なく持ち出してはならない", "速やかに報告しなければならない", "暗号化しなければならない",
           "アクセス制御を行わなければならない"]
CONTEXTS = ["業務上必要な場合に限り、", "情報セキュリティインシデントの発生に備え、", "ゼロトラストアーキテクチャの考え方を踏まえ、",
            "機密性の分類に応じて、", "年度ごとに、", "リスク評価の結果に基づき、", "外部サービスを利用する場合には、",
            "LGWAN接続系においては、", "インターネット接続系においては、", ""]
COMMENT = ["本項は、", "この対策は、", "ここでいう", "なお、", "例えば、", "具体的には、"]
COMMENT_TAIL = ["情報漏えいのリスクを低減するためのものである。", "統一基準の考え方を踏まえたものである。",
                "各団体の実情に応じて定めることが望ましい。", "ログの監視と組み合わせて実施することが重要である。",
                "委託先においても同等の対策が講じられていることを確認する必要がある。"]
HEAD_A = ["情報資産の", "端末の", "サーバ装置の", "外部記録媒体の", "クラウドサービスの", "通信回線の", "ログの",
          "利用者IDの", "パスワードの", "バックアップの", "ソフトウェアの", "委託先の", "監視の", "研修の"]
HEAD_B = ["管理", "取扱い", "設定", "確認", "記録", "運用", "制限", "報告", "保護", "点検", "廃棄", "更新"]
CHAPTERS = ["組織体制", "情報資産の分類と管理方法", "情報システム全体の強靭性の向上", "物理的セキュリティ",
            "人的セキュリティ", "技術的セキュリティ", "運用", "業務委託と外部サービスの利用", "評価・見直し"]
RELS = ["subset-of", "intersects-with", "intersects-with", "equivalent-to"]
MODELS = ["[alpha, alpha-prime]", "[beta, beta-prime]", "[alpha, beta]", "[alpha, alpha-prime, beta, beta-prime]"]
TABLE_HEAD = ["区分", "対象", "対策"]


@dataclass
class Node:
    id: str
    heading: str
    level: int
    body: str = ""
    commentary: str = ""
    nisc: list[tuple[str, str]] = field(default_factory=list)
    meta_extra: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(CONTEXTS)}{rng.choice(SUBJECTS)}は、{rng.choice(OBJECTS)}について、{rng.choice(ACTIONS)}。"


def paragraph(rng: random.Random, n: int) -> str:
    return "".join(sentence(rng) for _ in range(n))


def body(rng: random.Random, refs: list[str]) -> str:
    """A clause body: a paragraph, sometimes followed by a (ア)(イ) list, a bullet list, a table or a cross-reference."""
    out = [paragraph(rng, rng.randint(1, 4))]
    r = rng.random()
    if r < 0.25:
        out.append("\n".join(f"{i}. {sentence(rng)}" for i in range(1, rng.randint(3, 5))))
    elif r < 0.35:
        out.append("\n".join(f"- **{rng.choice(OBJECTS)}**：{sentence(rng)}" for _ in range(rng.randint(2, 4))))
    elif r < 0.38:
        rows = [f"| {' | '.join(TABLE_HEAD)} |", "|---|---|---|"]
        rows += [f"| {rng.choice(HEAD_B)} | {rng.choice(OBJECTS)} | {rng.choice(ACTIONS)} |"
                 for _ in range(rng.randint(3, 5))]
        out.append("\n".join(rows))
    if refs and rng.random() < 0.1:
        out.append(f"詳細は[](#{rng.choice(refs)})を参照すること。")
    return "\n\n".join(out)


def commentary(rng: random.Random) -> str:
    return "".join(f"{rng.choice(COMMENT)}{rng.choice(OBJECTS)}に関し、{rng.choice(COMMENT_TAIL)}"
                   for _ in range(rng.randint(2, 3)))


def requirement_ids() -> list[str]:
    ids = []
    for line in CATALOG.read_text(encoding="utf-8").splitlines():
        if "kind: 遵守事項" in line or "kind: 基本対策事項" in line:
            ids.append(line.split('id: "', 1)[1].split('"', 1)[0])
    return ids


def make_base(rng: random.Random) -> list[Node]:
    reqs = requirement_ids()
    counter = iter(range(1, 10**6))
    refs: list[str] = []  # sections written so far: cross-reference targets (the revision never removes them)

    def new_id(prefix: str) -> str:
        return f"{prefix}-{next(counter):05d}"

    def leaf(prefix: str, level: int, mapped: bool = True) -> Node:
        node = Node(new_id(prefix), rng.choice(HEAD_A) + rng.choice(HEAD_B), level, body(rng, refs))
        if mapped and rng.random() < 0.9:
            node.nisc = [(x, rng.choice(RELS)) for x in sorted(rng.sample(reqs, rng.randint(1, 2)))]
        if mapped and rng.random() < 0.2:
            node.meta_extra.append(f"models: {rng.choice(MODELS)}")
        if rng.random() < 0.6:
            node.commentary = commentary(rng)
        return node

    general = Node("general", "総則", 1)
    for c in range(3):
        chap = Node(new_id("gen"), ["目的", "地方公共団体における情報セキュリティ", "マネジメントプロセス"][c], 2)
        for _ in range(12):
            item = leaf("gen", 3, mapped=False)
            item.children = [leaf("gen", 5, mapped=False) for _ in range(3)]
            chap.children.append(item)
        general.children.append(chap)
    policy = Node("policy", "情報セキュリティポリシー（例文）", 1)
    basic = Node("basic-policy", "情報セキュリティ基本方針", 2)
    basic.children = [leaf("bp", 3, mapped=False) for _ in range(10)]
    standards = Node("standards", "情報セキュリティ対策基準", 2)
    for name in CHAPTERS:
        chapter = Node(new_id("ch"), name, 3)
        for _ in range(8):
            section = Node(new_id("sec"), rng.choice(HEAD_A) + rng.choice(HEAD_B), 4)
            refs.append(section.id)
            for _ in range(5):
                item = leaf("it", 5)
                item.children = [leaf("sub", 6) for _ in range(4)]
                section.children.append(item)
            chapter.children.append(section)
        standards.children.append(chapter)
    policy.children = [basic, standards]
    return [general, policy]


def walk(nodes: list[Node]):
    for n in nodes:
        yield n
        yield from walk(n.children)


def revise(parts: list[Node], rng: random.Random) -> list[Node]:
    """A revision with ~5% of clauses changed, in every kind (each kind gets its full count of clauses)."""
    import copy

    parts = copy.deepcopy(parts)
    reqs = requirement_ids()
    items = [n for n in walk(parts) if n.level in (5, 6)]
    rng.shuffle(items)
    taken: set[int] = set()  # id() of the clauses changed so far (their IDs may change)

    def take(pred=lambda n: True) -> Node:
        """The next clause not yet changed that satisfies ``pred`` (and is still in the tree)."""
        for n in items:
            if id(n) not in taken and pred(n) and any(n is x for x in walk(parts)):
                taken.add(id(n))
                return n
        raise RuntimeError("the base edition is too small for the revision")

    def parent_of(target: Node) -> Node:
        for n in walk(parts):
            if any(target is c for c in n.children):
                return n
        raise KeyError(target.id)

    def edit_first_paragraph(text: str, extra: str) -> str:
        first, sep, rest = text.partition("\n\n")
        return first.replace("しなければならない", "するものとする", 1) + extra + sep + rest

    def halves(text: str) -> tuple[str, str]:
        blocks = text.split("\n\n")
        if len(blocks) > 1:
            return blocks[0], "\n\n".join(blocks[1:])
        sentences = [x + "。" for x in text.split("。") if x]
        k = max(1, len(sentences) // 2)
        return "".join(sentences[:k]), "".join(sentences[k:]) or sentences[-1]

    def has_next_leaf(n: Node) -> bool:
        p = parent_of(n)
        i = next(k for k, c in enumerate(p.children) if c is n)
        return not n.children and i + 1 < len(p.children) and not p.children[i + 1].children \
            and id(p.children[i + 1]) not in taken

    for _ in range(35):  # wording edits in the body
        n = take()
        n.body = edit_first_paragraph(n.body, sentence(rng))
    for _ in range(10):  # 解説 edits only
        n = take(lambda n: bool(n.commentary))
        n.commentary = n.commentary.replace("望ましい", "必要である", 1) + commentary(rng)
    for i in range(20):  # insertions before existing siblings (renumber followers)
        n = take()
        p = parent_of(n)
        p.children.insert(p.children.index(n), Node(f"new-{i:03d}", "新設の" + rng.choice(HEAD_B), n.level,
                                                    paragraph(rng, 2), commentary(rng),
                                                    [(rng.choice(reqs), "subset-of")]))
    for _ in range(10):  # deletions
        n = take(lambda n: not n.children)
        parent_of(n).children.remove(n)
    for _ in range(5):  # moves of a sub-item under an item of another chapter
        n = take(lambda n: n.level == 6)
        parent_of(n).children.remove(n)
        take(lambda d: d.level == 5 and d.id[:2] == "it").children.append(n)
    for i in range(5):  # splits (lineage on the first three)
        n = take(lambda n: n.level == 6)
        n.body, second = halves(n.body)
        half = Node(f"split-{i:03d}", n.heading + "（続き）", n.level, sentence(rng) + second)
        if i < 3:
            half.meta_extra.append(f"split_from: {n.id}")
        p = parent_of(n)
        p.children.insert(p.children.index(n) + 1, half)
    for i in range(5):  # merges of adjacent sibling leaves (lineage on the first three)
        n = take(has_next_leaf)
        p = parent_of(n)
        other = p.children.pop(p.children.index(n) + 1)
        taken.add(id(other))
        n.body = n.body + "\n\n" + other.body
        if i < 3:
            n.meta_extra.append(f"merged_from: [{n.id}, {other.id}]")
    for i in range(5):  # ID changes, text kept
        n = take()
        old = n.id
        n.id = f"renamed-{i:03d}"
        if i < 2:
            n.meta_extra.append(f"replaces: {old}")
    for i in range(12):  # mapping-only changes: replaced, added, relationship changed
        n = take(lambda n: bool(n.nisc))
        if i % 3 == 0:
            n.nisc = [(rng.choice(reqs), "intersects-with")]
        elif i % 3 == 1:
            n.nisc = sorted(set(n.nisc) | {(rng.choice(reqs), "subset-of")})
        else:
            n.nisc = [(ident, "superset-of" if rel != "superset-of" else "equal-to") for ident, rel in n.nisc]
    for _ in range(3):  # network models changed
        n = take(lambda n: bool(n.nisc))
        n.meta_extra = [m for m in n.meta_extra if not m.startswith("models:")] + ["models: [beta]"]
    for _ in range(3):  # reorders: a leaf swaps places with its next sibling under the same parent
        n = take(has_next_leaf)
        p = parent_of(n)
        i = p.children.index(n)
        taken.add(id(p.children[i + 1]))
        p.children[i], p.children[i + 1] = p.children[i + 1], p.children[i]
    for _ in range(5):  # heading changes
        n = take()
        n.heading = n.heading + "等"
    return parts


def render(node: Node) -> str:
    out = [f"{'#' * node.level} {node.heading} {{#{node.id}}}", ""]
    meta = []
    if node.nisc:
        meta.append("nisc:")
        for ident, rel in node.nisc:
            meta.append(f'  - id: "{ident}"\n    relationship: {rel}')
    meta.extend(node.meta_extra)
    if meta:
        out += ["```yaml", *meta, "```", ""]
    if node.body:
        out += [node.body, ""]
    if node.commentary:
        out += ["::: 解説", node.commentary, ":::", ""]
    for child in node.children:
        out.append(render(child))
    return "\n".join(out)


def write_edition(parts: list[Node], root: Path, edition_id: str, previous: str = "") -> None:
    root.mkdir(parents=True, exist_ok=True)
    files = []
    # one file per 編, and the 対策基準 split per chapter like the real sources
    general, policy = parts
    (root / "10-general.md").write_text(render(general), encoding="utf-8")
    files.append("10-general.md")
    basic, standards = policy.children
    head = f"# {policy.heading} {{#{policy.id}}}\n\n{render(basic)}\n## {standards.heading} {{#{standards.id}}}\n"
    (root / "20-policy.md").write_text(head, encoding="utf-8")
    files.append("20-policy.md")
    for i, chapter in enumerate(standards.children, 1):
        name = f"3{i}-chapter.md"
        (root / name).write_text(render(chapter), encoding="utf-8")
        files.append(name)
    lines = [f"id: {edition_id}", "title: ベンチマーク用ガイドライン（合成）", "label: 合成版", "date: 2024-10-02",
             "status: 案", "sample: true", "nisc_catalog: nisc-r7", "reibun_part: policy",
             "commentary_title: 解説"]
    if previous:
        lines.append(f"previous: {previous}")
    lines.append("files:")
    lines += [f"  - {f}" for f in files]
    (root / "edition.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path,
                    help="work directory (its nisc/, editions/base and editions/revised are replaced)")
    ap.add_argument("--seed", type=int, default=20241002)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    out: Path = args.out
    for sub in ("nisc", "editions"):
        shutil.rmtree(out / sub, ignore_errors=True)
    (out / "nisc").mkdir(parents=True)
    shutil.copy(CATALOG, out / "nisc" / CATALOG.name)
    base = make_base(rng)
    write_edition(base, out / "editions" / "base", "base")
    write_edition(revise(base, rng), out / "editions" / "revised", "revised", previous="base")
    n = sum(1 for _ in walk(base))
    chars = sum(len(x.body) + len(x.commentary) + len(x.heading) for x in walk(base))
    print(f"base: {n} clauses, {chars} characters of text", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
