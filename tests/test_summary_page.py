"""The one-page summary (summary.html): figures by hand, rendered in headless Chromium."""

from __future__ import annotations

import re

import pytest
from matplotlib import image as mpimg

from test_maps import SITES, ZONES, _run_chromium, chromium, tiny_results  # noqa: F401
from voorzieningen import summary_page
from voorzieningen.record import SavedRun


def tiny_saved() -> SavedRun:
    return SavedRun.from_results(
        tiny_results(),
        region="testregio",
        sites=SITES,
        zone_points=ZONES,
        run_json={
            "settings": {
                "budget": {"capex_total_eur": 2_000_000.0},
                "network": {"method": "estimate"},
                "norms": {"gp": {"max_travel_time_min": 3.5, "within_min": 15.0}},
            }
        },
    )


def test_key_figures_by_hand():
    figures = summary_page.key_figures(tiny_saved())
    gp = figures.loc["gp"]
    # 2030: gp demand 200 + 150, served 200 (4 min) + 140 (3 min), unmet 10.
    assert gp["demand_persons"] == 350.0
    assert gp["served_persons"] == 340.0
    assert gp["unmet_persons"] == 10.0
    assert gp["norm_min"] == 3.5  # the guarantee, not within_min
    assert gp["share_within_norm_pct"] == pytest.approx(100 * 140 / 350)
    assert gp["mean_travel_time_min"] == pytest.approx((200 * 4 + 140 * 3) / 340)
    school = figures.loc["school"]
    assert school["norm_min"] == 15.0
    assert school["share_within_norm_pct"] == pytest.approx(100.0)
    assert school["mean_travel_time_min"] == pytest.approx((100 * 2 + 50 * 6) / 150)


def test_village_effects_worst_first_and_tolerance():
    effects = summary_page.village_effects(tiny_saved())
    # z2 gp 1 -> 3 and z2 school 4 -> 6 (+2 min each), z1 gp 5 -> 4 (-1); z1 school 2 -> 2
    # is within the 0.5 min tolerance and left out.
    assert list(zip(effects["zone"], effects["service"], strict=True)) == [
        ("z2", "gp"),
        ("z2", "school"),
        ("z1", "gp"),
    ]
    assert effects["change_min"].tolist() == [2.0, 2.0, -1.0]
    assert not effects["lost"].any()


def test_gap_in_words():
    assert summary_page.gap_words(0.0042, "optimal", "nl") == (
        "bewezen binnen 0,4 % van het best mogelijke plan"
    )
    assert summary_page.gap_words(0.0042, "optimal", "en") == (
        "proven within 0.4 % of the best possible plan"
    )
    assert summary_page.gap_words(0.0, "optimal", "nl").startswith("bewezen het best")
    assert summary_page.gap_words(None, "time_limit", "nl").startswith("het beste gevonden")


def test_summary_page_content(tmp_path):
    page = summary_page.write_summary_page(tiny_saved(), tmp_path / "summary.html")
    text = page.read_text(encoding="utf-8")
    assert "40,0 % (norm 3,5 min)" in text  # gp: 140 of 350 within the 3,5 min guarantee
    assert "100,0 % (norm 15 min)" in text
    assert "350 patiënten" in text
    assert "150 leerlingen" in text
    assert "3,6 min" in text  # gp mean travel time
    assert "investeringen € 1.000.000 van € 2.000.000 (50 %)" in text
    assert "geschat (hemelsbreed × omwegfactor)" in text
    assert "bewezen binnen 0,1 % van het best mogelijke plan" in text
    assert re.search(r"<b>2025</b> Kavel &lt;C&gt; &amp; co: nieuwbouw: huisartsenpraktijk", text)
    assert "<b>2030</b> GP B: sluiten" in text
    assert not re.search(r"\b(src|href)\s*=\s*\"(?!data:)", text)  # self-contained
    english = summary_page.write_summary_page(
        tiny_saved(), tmp_path / "en.html", language="en"
    ).read_text(encoding="utf-8")
    assert "350 patients" in english
    assert "proven within 0.1 % of the best possible plan" in english
    with pytest.raises(ValueError, match="language must be 'nl' or 'en'"):
        summary_page.write_summary_page(tiny_saved(), tmp_path / "x.html", language="de")


def test_summary_page_renders_in_chromium(tmp_path, chromium):  # noqa: F811
    page = summary_page.write_summary_page(tiny_saved(), tmp_path / "summary.html")
    url = page.resolve().as_uri()
    dom = _run_chromium(chromium, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.search(r'<img class="map"[^>]*src="data:image/png;base64,', dom.stdout)
    assert (
        len(re.findall(r"<tr>", dom.stdout.split('class="figures"')[1].split("</table>")[0])) == 3
    )
    assert len(re.findall(r"<li>", dom.stdout)) == 2
    shot = tmp_path / "shot.png"
    result = _run_chromium(
        chromium, tmp_path / "profile", "--window-size=800,1130", f"--screenshot={shot}", url
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rgb = mpimg.imread(shot)
    assert rgb.shape[:2] == (1130, 800)
    # The page is drawn: far from blank (the map alone covers a large part of it).
    assert (rgb[..., :3].mean(axis=-1) < 0.95).mean() > 0.10
    pdf = tmp_path / "summary.pdf"
    printed = _run_chromium(
        chromium, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url
    )
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())) == 1  # one A4 page
