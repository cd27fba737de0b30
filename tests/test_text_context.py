"""Context assembly: lore triggering, token budget, author's note, the report."""

from __future__ import annotations

from worldforge.core.model import LoreEntry
from worldforge.prompting.context import assemble_context
from worldforge.prompting.lore import find_key, trigger_lore

from .text_story import make_story


def words(text: str) -> int:
    return len(text.split())


def test_keys_match_whole_words_case_insensitively():
    assert find_key(["Mara"], "and then MARA said") == "Mara"
    assert find_key(["Mara"], "the marathon") is None
    assert find_key(["forty years"], "for Forty  years") is None
    assert find_key(["forty years"], "after forty years, at last") == "forty years"


def test_secondary_keys_need_both():
    council = LoreEntry(id="c", keys=["council"], secondary_keys=["letter"], text="x")
    assert trigger_lore([council], "the council met")[0] == []
    assert [t.entry.id for t in trigger_lore([council], "the council sent a letter")[0]] == ["c"]


def test_recursion_is_bounded():
    story = make_story()
    lore = story.meta.lore
    found, beyond = trigger_lore(lore, "The machine hummed.", max_depth=3)
    assert [(t.entry.id, t.depth, t.source) for t in found] == [
        ("machine", 0, "story"),
        ("lighthouse", 1, "machine"),
        ("keeper", 2, "lighthouse"),
        ("ships", 3, "keeper"),
    ]
    found, beyond = trigger_lore(lore, "The machine hummed.", max_depth=1)
    assert [t.entry.id for t in found] == ["machine", "lighthouse"]
    assert [t.entry.id for t in beyond] == ["keeper"]
    found, _ = trigger_lore(lore, "The machine hummed.", max_depth=0)
    assert [t.entry.id for t in found] == ["machine"]


def test_context_follows_the_path_and_inserts_lore_and_note():
    story = make_story()
    letter = next(s for s in story.scenes.values() if s.title == "The letter")
    report = assemble_context(story, letter.id, words, window=400, max_new_tokens=80)
    ctx = report.context
    assert ctx.startswith("A story of a harbour town")
    assert "She walked to the pier" not in ctx  # a sibling branch is not on the path
    assert ctx.index("Mara kept the lamps lit.") < ctx.index("In the morning the council")
    # council: primary "council" + secondary "letter"; company via the council's lore text
    assert report.included("lore") == [
        "mara",
        "machine",
        "council",
        "lighthouse",
        "company",
        "keeper",
        "ships",
    ]
    assert report.piece("lore", "company").reason == "key 'company' in lore 'council' (depth 1)"
    assert "fog" not in report.included()
    # author's note one line before the end of the story
    lines = ctx.split("\n")
    assert lines[-2] == "[Author's note: Quiet, warm, a little sad.]"
    assert lines[-1] == "Mara read it twice."
    assert report.tokens == words(ctx) <= report.budget


def test_budget_cuts_old_story_last_and_reports_it():
    story = make_story()
    letter = next(s for s in story.scenes.values() if s.title == "The letter")
    window = 60
    report = assemble_context(story, letter.id, words, window=window, max_new_tokens=20)
    assert report.budget == 40 and report.tokens <= 40
    cut_lore = [p for p in report.pieces if p.kind == "lore" and p.status == "cut"]
    assert cut_lore and "over budget" in cut_lore[0].reason
    after = f"lower priority than lore {cut_lore[0].name!r}, which did not fit whole"
    assert all(p.reason.endswith(after) for p in cut_lore[1:])
    # the newest scene is kept whole; the oldest is trimmed from its start or cut
    assert report.piece("scene", letter.id).status == "included"
    start = report.piece("scene", "start")
    assert start.status in ("trimmed", "cut")
    assert "Mara kept the lamps lit." not in report.context
    if start.status == "trimmed":
        assert "in its corner.\n\nIn the morning" in report.context
        assert 0 < start.tokens < start.full_tokens


def test_tiny_budget_keeps_the_end_of_the_current_scene():
    story = make_story()
    report = assemble_context(story, "start", words, window=10, max_new_tokens=6)
    assert report.budget == 4
    assert report.context.endswith("in its corner.")
    assert report.tokens <= 4
    assert report.piece("scene", "start").status == "trimmed"
    assert report.piece("memory", "memory").status == "cut"


def test_trimming_prefers_a_sentence_start():
    story = make_story()
    story.meta.world.authors_note = story.meta.world.memory = ""
    story.scenes["start"].text = "One two three four. Five six seven eight nine ten eleven twelve."
    report = assemble_context(story, "start", words, window=12, max_new_tokens=2)
    assert report.context == "Five six seven eight nine ten eleven twelve."


def test_report_prints_every_piece():
    story = make_story()
    report = assemble_context(story, "start", words, window=60, max_new_tokens=20)
    text = str(report)
    assert text.splitlines()[0].startswith("context for scene 'start':")
    for piece in report.pieces:
        assert piece.name in text
    assert "included" in text and "cut" in text


def test_exact_budget_with_the_real_tokenizer(tiny_torch_engine):
    story = make_story()
    story.scenes["start"].text = " ".join(["The machine hummed in its corner and the fog came in."] * 80)
    engine = tiny_torch_engine
    report = assemble_context(story, "start", engine.count_tokens, engine.context_window, 80)
    assert report.tokens == engine.count_tokens(report.context)
    assert report.budget - 20 <= report.tokens <= report.budget
    assert report.piece("scene", "start").status == "trimmed"
    assert report.context.endswith("the fog came in.")


def long_memory_story():
    """The case seen with the offline model's 512-token window: a memory that does not fit
    what is left after the author's note, and a small lore entry that would."""
    story = make_story()
    story.meta.world.memory = "One two three four five. Six seven eight nine ten.\nEleven twelve thirteen."
    story.meta.world.authors_note = ""
    story.meta.lore = [LoreEntry(id="mara", keys=["Mara"], text="Lamplighter.")]
    return story


def test_memory_that_does_not_fit_is_trimmed_to_whole_sentences_and_outranks_lore():
    # with a budget of 24 the story reserves 8 and the memory's 13 words fit in the 16 left;
    # with 18, 12 are left: the memory keeps 2 sentences (10 words) and the 1-word lore entry,
    # which would fit in the last 2, stays out
    story = long_memory_story()
    story.scenes["start"].text = " ".join(["Mara waited."] * 6)
    report = assemble_context(story, "start", words, window=36, max_new_tokens=12)
    memory = report.piece("memory", "memory")
    assert memory.status == "included" and memory.tokens == 13
    report = assemble_context(story, "start", words, window=30, max_new_tokens=12)
    memory = report.piece("memory", "memory")
    assert (memory.status, memory.tokens, memory.full_tokens) == ("trimmed", 10, 13)
    assert memory.reason == "kept its first 2 of 3 sentences"
    assert report.context.startswith("One two three four five. Six seven eight nine ten.\nMara waited.")
    assert "Eleven" not in report.context
    mara = report.piece("lore", "mara")
    assert mara.status == "cut" and "lower priority than the memory" in mara.reason
    assert "Lamplighter." not in report.context
    assert any("trimmed to its first 2 of 3 sentences" in note for note in report.notes)
    assert report.tokens == words(report.context) <= report.budget


def test_a_memory_whose_first_sentence_cannot_fit_is_reported_plainly():
    story = long_memory_story()
    # a budget of 5: the story reserves 1, the memory's first sentence needs 5 of the 4 left
    report = assemble_context(story, "start", words, window=7, max_new_tokens=2)
    memory = report.piece("memory", "memory")
    assert memory.status == "cut" and "first sentence alone is over budget" in memory.reason
    assert report.piece("lore", "mara").status == "cut"
    assert "One two" not in report.context and "Lamplighter" not in report.context
    assert [n for n in report.notes if n.startswith("the memory is not in the context")]
    assert "note: the memory is not in the context" in str(report)
