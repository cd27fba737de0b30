"""The gamebook played in Chromium: one section at a time, choices that land where they
say, the browser's back button, and the reader's place kept in the URL."""

from __future__ import annotations

import re


def shown(reader) -> tuple[str, str]:
    """The one section on screen: its anchor and its number."""
    visible = reader.visible_sections()
    assert len(visible) == 1, visible
    number = reader.page.locator(f"#{visible[0]} h2 .number").inner_text()
    return visible[0], number


def test_section_one_is_shown_first_under_the_cover(reader, books):
    reader.open(books["gamebook"])
    assert shown(reader) == ("s-start", "1")
    assert reader.page.locator("#cover").is_visible()
    reader.page.get_by_role("link", name="section 1").click()
    assert shown(reader) == ("s-start", "1")


def test_every_turn_to_link_lands_on_its_section(reader, books):
    reader.open(books["gamebook"])
    anchors = reader.page.eval_on_selector_all("main section.chapter", "els => els.map(e => e.id)")
    followed = 0
    for anchor in anchors:
        reader.open(books["gamebook"], f"#{anchor}")
        assert shown(reader)[0] == anchor
        for index in range(reader.page.locator(f"#{anchor} .choices a").count()):
            reader.open(books["gamebook"], f"#{anchor}")
            link = reader.page.locator(f"#{anchor} .choices a").nth(index)
            number = re.fullmatch(r"turn to (\d+)", link.inner_text()).group(1)
            link.click()
            target, landed = shown(reader)
            assert landed == number
            assert reader.page.evaluate("location.hash") == f"#{target}"
            top = reader.page.locator(f"#{target}").bounding_box()["y"]
            assert abs(top) < 40, f"section {number} starts {top} px from the top of the window"
            assert not reader.page.locator("#cover").is_visible()
            followed += 1
    assert followed == 5
    assert reader.trouble() == []


def test_the_whole_choice_is_a_button_sized_target(reader, books):
    reader.open(books["gamebook"])
    choice = reader.page.locator("#s-start .choices li").first
    box = choice.bounding_box()
    assert box["height"] >= 40  # a thumb's width on a phone
    choice.click(position={"x": 8, "y": box["height"] / 2})  # the label, left of the link text
    assert shown(reader) != ("s-start", "1")


def test_back_and_forward_follow_the_browsers_history(reader, books):
    reader.open(books["gamebook"])
    page = reader.page
    path = []
    for _ in range(3):
        anchor, _number = shown(reader)
        path.append(anchor)
        page.locator(f"#{anchor} .choices a").first.click()
    last = shown(reader)[0]
    for anchor in reversed(path[1:]):
        page.go_back()
        assert shown(reader)[0] == anchor
    page.go_forward()
    assert shown(reader)[0] == path[2]
    page.go_forward()
    assert shown(reader)[0] == last


def test_the_readers_place_survives_a_reload_and_a_bookmark(reader, books):
    reader.open(books["gamebook"])
    reader.page.locator("#s-start .choices a").last.click()
    place = reader.page.url
    anchor = shown(reader)
    assert place.endswith(f"#{anchor[0]}")
    reader.page.reload()
    assert shown(reader) == anchor
    reader.page.goto("about:blank")
    reader.page.goto(place)  # a bookmark
    assert shown(reader) == anchor


def test_a_path_book_shows_every_chapter(reader, books):
    reader.open(books["path"], "#s-harbour")
    assert reader.visible_sections() == ["s-start", "s-harbour", "s-square", "s-ending"]
