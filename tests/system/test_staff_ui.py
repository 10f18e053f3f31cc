"""The staff web UI in a real browser (Debian's chromium, driven by Playwright): two staff at two
desks in two browser contexts hand a person on, each seeing the other's step arrive live, and
axe-core checks every main screen for serious or critical accessibility violations.

Set TSUNAGU_SCREENSHOTS to a directory to keep a screenshot of each screen (scripts/screenshots
writes docs/screenshots)."""
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from .conftest import PASSWORD

CHROMIUM = os.environ.get("TSUNAGU_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
A, B = "wakaba-life-independence-center", "hikikomori-center"
LIVE_TIMEOUT = 10_000  # ms
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Screens:
    """Runs axe on each screen visited, and keeps a screenshot when asked to."""

    def __init__(self):
        self.axe = Axe()
        self.findings: dict[str, list] = {}
        self.folder = Path(os.environ["TSUNAGU_SCREENSHOTS"]) if os.environ.get("TSUNAGU_SCREENSHOTS") else None

    def check(self, page, name: str) -> None:
        results = self.axe.run(page)
        self.findings[name] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                               for v in results.response["violations"] if v["impact"] in BLOCKING]
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)


def sign_in(browser, system, username: str, desk: str, role: str = "staff"):
    system.create_staff(username, desk, role, name=f"見本 {username}")
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{system.base}/inbox")
    expect(page).to_have_url(f"{system.base}/login?next=/inbox")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{system.base}/inbox")
    return page


def test_a_hand_off_between_two_desks_is_seen_live_on_both_sides(browser, system):
    screens = Screens()
    login = browser.new_page()
    login.goto(f"{system.base}/login")
    screens.check(login, "login")
    desk_b = sign_in(browser, system, "ui-b", B)
    desk_b.evaluate("window.__notReloaded = true")
    expect(desk_b.locator("#live-hint")).to_have_attribute("data-connected", "true", timeout=LIVE_TIMEOUT)
    screens.check(desk_b, "inbox-empty")

    desk_a = sign_in(browser, system, "ui-a", A)
    desk_a.get_by_role("link", name="相談を記録する").click()
    screens.check(desk_a, "intake")
    desk_a.get_by_label("氏名").fill("見本 花子")
    desk_a.get_by_label("フリガナ（カタカナ）").fill("ミホン ハナコ")
    desk_a.get_by_label("区").select_option("wakaba")
    desk_a.get_by_label("ひきこもり").check()
    desk_a.get_by_label("仕事", exact=True).check()
    desk_a.get_by_label("相談内容").fill("息子が長くひきこもっている（架空の事例）")
    desk_a.get_by_role("button", name="記録する").click()
    expect(desk_a.get_by_role("heading", name="相談を記録しました")).to_be_visible()
    expect(desk_a.get_by_text("おすすめの紹介先")).to_be_visible()
    screens.check(desk_a, "intake-recorded")
    desk_a.locator(f'input[name="to_desk_id"][value="{B}"]').check()
    desk_a.get_by_label("理由").fill("ひきこもり支援の専門窓口へ")
    desk_a.locator('input[name="share_categories"][value="identity"]').check()
    desk_a.get_by_role("button", name="紹介する").click()
    expect(desk_a.get_by_role("heading", name="ケース")).to_be_visible()
    screens.check(desk_a, "case-timeline")
    case_url = desk_a.url
    desk_a.locator("#case-referral-list a").first.click()
    expect(desk_a.locator("#referral-status")).to_contain_text("依頼中")
    desk_a.evaluate("window.__notReloaded = true")
    expect(desk_a.locator("#live-hint")).to_have_count(0)  # the hint is on the inbox only

    # desk B: the referral arrives without a reload
    arrived = desk_b.locator("#notices li").first
    expect(arrived).to_contain_text("新しいつなぎが届きました", timeout=LIVE_TIMEOUT)
    expect(desk_b.locator("#live-announcer")).to_contain_text("新しいつなぎが届きました", timeout=LIVE_TIMEOUT)
    assert desk_b.evaluate("window.__notReloaded") is True
    expect(arrived.locator("time")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))  # as the server writes it
    screens.check(desk_b, "inbox")
    arrived.get_by_role("link").first.click()
    expect(desk_b.locator("#referral-status")).to_contain_text("依頼中")
    screens.check(desk_b, "referral-received")
    desk_b.locator('button[data-action="accept"]').click()
    expect(desk_b.locator("#referral-status")).to_contain_text("受入れ")

    # desk A: the status changes on the open referral page without a reload
    expect(desk_a.locator("#referral-status")).to_contain_text("受入れ", timeout=LIVE_TIMEOUT)
    assert desk_a.evaluate("window.__notReloaded") is True
    screens.check(desk_a, "referral-accepted")

    # consent capture and withdrawal, a support meeting, the printable report
    desk_a.goto(case_url)
    desk_a.get_by_role("link", name="同意を記録する").click()
    screens.check(desk_a, "consent-form")
    desk_a.get_by_label("目的").fill("ひきこもり支援のための情報共有")
    desk_a.locator(f'input[name="recipients"][value="{B}"]').check()
    desk_a.locator('input[name="categories"][value="identity"]').check()
    desk_a.get_by_role("button", name="同意を記録する").click()
    expect(desk_a.locator("#consent-status")).to_have_text("active")
    screens.check(desk_a, "consent")
    desk_a.get_by_role("button", name="同意を撤回する").click()
    expect(desk_a.locator("#consent-status")).to_have_text("withdrawn")

    desk_a.goto(case_url)
    desk_a.get_by_role("link", name="会議を開く").click()
    screens.check(desk_a, "meeting-form")
    desk_a.locator(f'input[name="member_desk_ids"][value="{B}"]').check()
    desk_a.get_by_label("議題").fill("就労に向けた支援の方針")
    desk_a.get_by_role("button", name="会議を開く").click()
    expect(desk_a.get_by_role("heading", name="支援会議")).to_be_visible()
    desk_a.get_by_label("決定内容").fill("就労準備支援につなぐ")
    desk_a.get_by_role("button", name="決定を記録する").click()
    expect(desk_a.locator("#decisions-heading + ol")).to_contain_text("就労準備支援につなぐ")
    screens.check(desk_a, "meeting")

    desk_a.goto(case_url)
    desk_a.get_by_role("link", name="情報提供の記録（ご本人向け）").click()
    expect(desk_a.locator("body")).to_contain_text("情報")
    screens.check(desk_a, "disclosure-report")

    desk_a.goto(f"{system.base}/inbox?lang=en")
    expect(desk_a.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(desk_a.locator("html")).to_have_attribute("lang", "en")
    screens.check(desk_a, "inbox-english")

    assert {name: found for name, found in screens.findings.items() if found} == {}
    assert len(screens.findings) >= 12


def test_the_intake_form_says_what_is_wrong_next_to_each_field(browser, system):
    page = sign_in(browser, system, "ui-c", A)
    page.goto(f"{system.base}/consultations/new")
    page.get_by_label("フリガナ（カタカナ）").fill("hanako")
    page.get_by_role("button", name="記録する").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#name_kana-error")).to_have_text("カタカナで入力してください。")
    expect(page.locator("#name-error")).to_have_text("必須項目です。")
    expect(page.get_by_label("フリガナ（カタカナ）")).to_have_value("hanako")  # nothing typed is lost
    expect(page.get_by_label("フリガナ（カタカナ）")).to_have_attribute("aria-invalid", "true")
    findings = Axe().run(page).response["violations"]
    assert [v["id"] for v in findings if v["impact"] in BLOCKING] == []


def test_keyboard_users_skip_to_the_content_and_see_where_they_are(browser, system):
    page = sign_in(browser, system, "ui-d", A)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("本文へ移動")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth")
    assert outline == "solid 4px"  # the visible focus ring


@pytest.mark.parametrize("path", ["/inbox", "/consultations/new", "/consultations"])
def test_screens_fit_a_tablet_without_sideways_scrolling(browser, system, path):
    page = sign_in(browser, system, "ui-e", A)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{system.base}{path}")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    small = page.evaluate("""() => [...document.querySelectorAll('main a, main button, main input, main select')]
        .filter(e => e.offsetParent !== null && e.type !== 'hidden')
        .map(e => (e.type === 'checkbox' || e.type === 'radio' ? e.closest('label') : e).getBoundingClientRect()).filter(r => r.height < 24 || (r.height < 44 && r.width < 44)).length""")
    assert small == 0  # every target 44 px (a checkbox's target is its whole label)


def test_the_interactive_api_docs_are_served_with_their_files(system):
    import requests
    page = requests.get(f"{system.base}/api/docs", timeout=10)
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    bundle = requests.get(f"{system.base}/static/vendor/swagger-ui/swagger-ui-bundle.js", timeout=10)
    assert bundle.status_code == 200 and len(bundle.content) > 500_000
    assert requests.get(f"{system.base}/static/../pyproject.toml", timeout=10).status_code == 404
