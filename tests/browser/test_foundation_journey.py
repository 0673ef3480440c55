"""The foundation journey in a real browser: register → confirm the e-mail → create an NGO (a wrong
BIN first) → an official verifies it from a second browser → switch to Kazakh → every visible
string is Kazakh. Driven as a person would: labels, roles, clicks and typing, no direct posts."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from asar.i18n import LANGUAGE_NAMES, gettext, use_language
from tests.browser.conftest import LiveServer
from tests.factories import valid_bin

pytestmark = pytest.mark.browser

NAME = "Әйгерім Сәрсенбаева"
EMAIL = "aigerim.sarsenbayeva@example.kz"
PASSWORD = "жусан мен далада жүрміз"
ORG = {
    "name_kk": "«Көкжиек» жастар қоғамдық бірлестігі",
    "name_ru": "Молодёжное общественное объединение «Кокжиек»",
    "name_en": "Kokzhiek Youth Association",
    "description": "Жастарға арналған еріктілік жобалары.\n\nВолонтёрские проекты для молодёжи Алматы.",
    "website": "https://kokzhiek.example.kz",
    "email": "info@kokzhiek.example.kz",
    "phone": "+7 727 123 45 67",
    "address": "Алматы, Сәтпаев көшесі, 90",
}
GOOD_BIN = valid_bin("22014000123")
BAD_BIN = GOOD_BIN[:11] + str((int(GOOD_BIN[11]) + 1) % 10)

# Latin words a Kazakh page may show besides e-mail addresses, URLs and what the person typed:
# technical names and the HTTP header a program must send with an API token (shown verbatim on the
# profile page). The product's name is allowed only as the Kazakh catalog spells it ("АСАР" now),
# so a page saying "ASAR-да" under an "АСАР" header fails. The names of the other languages
# ("English", "Русский") pass only as themselves in an element marked with their lang.
ALLOWED_LATIN = {"JSON", "API", "OpenAPI", "Authorization", "Bearer"}
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL_RE = re.compile(r"https?://[^\s«»“”\"'<>]+")

# Every text a person sees or hears (a screen reader reads visually hidden text and aria labels),
# each with the language its element declares (the closest lang attribute).
VISIBLE_TEXT_JS = """() => {
  const out = [];
  const langOf = (el) => (el.closest("[lang]") || document.documentElement).getAttribute("lang");
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip.has(el.tagName)) continue;
    const shown = el.closest("select") || el;  // an option is shown through its select
    if (!shown.checkVisibility({visibilityProperty: true})) continue;
    const text = n.textContent.replace(/\\s+/g, " ").trim();
    if (text) out.push([text, langOf(el)]);
  }
  for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button]")) {
    for (const attr of ["aria-label", "title", "placeholder", "alt"]) {
      const v = el.getAttribute(attr);
      if (v && v.trim()) out.push([v.trim(), langOf(el)]);
    }
    if (el.matches("input[type=submit], input[type=button]") && el.value) out.push([el.value, langOf(el)]);
  }
  out.push([document.title, langOf(document.documentElement)]);
  return out;
}"""

# CSP violations also reach the console as errors; this makes each one explicit.
CSP_LISTENER_JS = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});"""


def t(lang: str, message: str, **params: object) -> str:
    """What the catalogs show for message in lang (the test reads the page as its visitor would)."""
    with use_language(lang):
        return gettext(message, **params)


class Problems:
    """Console errors (CSP violations among them), uncaught page errors and 5xx responses."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.expected: list[str] = []

    def watch(self, page: Page, who: str) -> Page:
        def console(m: ConsoleMessage) -> None:
            if m.type == "error":
                self.items.append(f"{who} console: {m.text} (at {m.location.get('url')}, page {page.url})")

        page.on("console", console)
        page.on("pageerror", lambda e: self.items.append(f"{who} page error: {e} ({page.url})"))
        page.on("response", lambda r: r.status >= 500 and self.items.append(f"{who} HTTP {r.status}: {r.url}"))
        return page

    def expect(self, text: str) -> None:
        """One console error that must happen (the browser reports a form refused with 400)."""
        self.expected.append(text)

    def unexpected(self) -> list[str]:
        left = list(self.items)
        for text in self.expected:
            match = next((item for item in left if text in item), None)
            assert match is not None, f"expected a console error with {text!r}: {left}"
            left.remove(match)
        return left


async def new_page(browser: Browser, problems: Problems, who: str, **options: Any) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(**options)
    await context.add_init_script(CSP_LISTENER_JS)
    context.set_default_timeout(10_000)
    page = problems.watch(await context.new_page(), who)
    return context, page


async def mailed_link(server_log: Path, base_url: str, to: str, kind: str) -> str:
    """The link in the newest mail of this kind to this address, as delivered: with no SMTP server
    the server logs each mail on its console (the outbox keeps no single-use link)."""
    path = {"confirm": "/confirm/", "reset": "/password/reset/"}[kind]
    pattern = re.compile(re.escape(base_url + path) + r"[A-Za-z0-9_-]+")
    deadline = time.monotonic() + 10
    while True:
        text = await asyncio.to_thread(server_log.read_text, errors="replace")
        lines = [line for line in text.splitlines() if to in line]
        links = [m.group(0) for line in lines for m in pattern.finditer(line)]
        if links or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert links, f"no {kind} mail to {to}"
    return links[-1]


def foreign_words(shown: list[list[str]], typed: list[str]) -> list[str]:
    """Visible words with a Latin letter that a Kazakh page must not show, each with its text."""
    allowed = ALLOWED_LATIN | set(re.findall(r"[A-Za-z]+", t("kk", "ASAR")))
    foreign: list[str] = []
    for text, lang in shown:
        if lang != "kk" and LANGUAGE_NAMES.get(lang) == text:
            continue  # a language's own name, marked as such (the switcher, the language choice)
        rest = text
        for value in sorted(typed, key=len, reverse=True):  # what the person typed, shown back
            rest = rest.replace(value, " ")
        rest = URL_RE.sub(" ", EMAIL_RE.sub(" ", rest))
        if words := [word for word in re.findall(r"[A-Za-z]+", rest) if word not in allowed]:
            foreign.append(f"{' '.join(words)!r} in {text!r}")
    return foreign


async def not_kazakh(page: Page, typed: list[str]) -> list[str]:
    """What keeps this page from being all Kazakh: words with a Latin letter that are not allowed,
    a page language other than kk, too few letters only Kazakh has (so it is not Russian)."""
    where = page.url.removeprefix(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2])
    found = []
    if (lang := await page.get_attribute("html", "lang")) != "kk":
        found.append(f"{where}: <html lang={lang!r}>")
    shown: list[list[str]] = await page.evaluate(VISIBLE_TEXT_JS)
    found += [f"{where}: {word}" for word in foreign_words(shown, typed)]
    letters = KAZAKH_LETTERS & set("".join(text for text, _lang in shown))
    if len(letters) < 3:
        found.append(f"{where}: only these Kazakh letters: {sorted(letters)}")
    return found


async def test_register_create_ngo_get_verified_and_read_it_in_kazakh(live_server: LiveServer, browser: Browser,
                                                                      tmp_path: Path) -> None:
    problems = Problems()
    person_ctx, page = await new_page(browser, problems, "person", locale="en-GB")

    # 1. Register from the home page, choosing Russian, then confirm by the mailed link.
    await page.goto(live_server.url + "/")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Register", exact=True).click()
    await page.get_by_label("Your name").fill(NAME)
    await page.get_by_label("E-mail address").fill(EMAIL)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Preferred language").select_option(label="Русский")
    await page.get_by_role("button", name="Register", exact=True).click()
    await page.wait_for_url("**/sign-in")  # nobody is signed in before the address is confirmed
    await expect(page.locator("html")).to_have_attribute("lang", "ru")
    await expect(page.locator("#flashes")).to_contain_text(t(
        "ru", "We have sent a message to %(email)s. Open the link in it to confirm your address, then sign in. "
        "If nothing arrives within a few minutes, look in the spam folder.", email=EMAIL))

    link = await mailed_link(live_server.log, live_server.url, EMAIL, "confirm")
    assert link.startswith(live_server.url + "/"), link
    await page.goto(link)
    await expect(page.locator("#flashes")).to_contain_text(
        t("ru", "Your e-mail address is confirmed. You can sign in now."))
    await page.get_by_label(t("ru", "E-mail address")).fill(EMAIL)
    await page.get_by_label(t("ru", "Password"), exact=True).fill(PASSWORD)
    await page.get_by_role("main").get_by_role("button", name=t("ru", "Sign in"), exact=True).click()
    await page.goto(live_server.url + "/profile")
    await expect(page.get_by_text(t("ru", "Your e-mail address %(email)s is confirmed.", email=EMAIL))).to_be_visible()

    # 2. Register an NGO: a BIN with a wrong check digit first, then the right one.
    await page.get_by_role("navigation", name=t("ru", "Main")).get_by_role(
        "link", name=t("ru", "Organizations")).click()
    await page.get_by_role("link", name=t("ru", "Register an organization")).click()
    await page.get_by_label(t("ru", "Sector")).select_option(label=t("ru", "NGO"))
    await expect(page.locator("#f-legal_form optgroup")).to_have_count(0)  # htmx swapped in the NGO forms
    await page.get_by_role("textbox", name=t("ru", "BIN"), exact=True).fill(BAD_BIN)
    await page.get_by_label(t("ru", "Name in Kazakh")).fill(ORG["name_kk"])
    await page.get_by_label(t("ru", "Name in Russian")).fill(ORG["name_ru"])
    await page.get_by_label(t("ru", "Name in English")).fill(ORG["name_en"])
    await page.get_by_label(t("ru", "Legal form")).select_option(label=t("ru", "Public association"))
    await page.get_by_label("Алматы", exact=True).check()
    await page.get_by_label("Молодёжная политика", exact=True).check()
    await page.get_by_label(t("ru", "Rural"), exact=True).check()
    await page.get_by_label(t("ru", "Description")).fill(ORG["description"])
    await page.get_by_label(t("ru", "Website")).fill(ORG["website"])
    await page.get_by_label(t("ru", "E-mail"), exact=True).fill(ORG["email"])
    await page.get_by_label(t("ru", "Phone")).fill(ORG["phone"])
    await page.get_by_label(t("ru", "Address")).fill(ORG["address"])
    problems.expect("the server responded with a status of 400")
    await page.get_by_role("button", name=t("ru", "Register the organization")).click()

    bin_error = t("ru", "This BIN is not valid: its last digit, a check digit, does not match the first 11. A BIN (business identification number) is the organization's 12-digit number, like 971240001315; you find it on its state registration certificate or on egov.kz.")
    assert bin_error != "This BIN is not valid: its last digit, a check digit, does not match the first 11. A BIN (business identification number) is the organization's 12-digit number, like 971240001315; you find it on its state registration certificate or on egov.kz."  # translated
    bin_field = page.get_by_role("textbox", name=t("ru", "BIN"), exact=True)
    await expect(page.locator("#f-bin-error")).to_have_text(bin_error)
    await expect(bin_field).to_have_attribute("aria-invalid", "true")
    await expect(bin_field).to_have_attribute("aria-describedby", re.compile(r"\bf-bin-error\b"))
    await expect(page.get_by_role("alert")).to_contain_text(bin_error)
    # Everything typed is still there.
    await expect(bin_field).to_have_value(BAD_BIN)
    await expect(page.get_by_label(t("ru", "Sector"))).to_have_value("ngo")
    await expect(page.get_by_label(t("ru", "Legal form"))).to_have_value("public_association")
    for name in ("name_kk", "name_ru", "name_en", "description", "website", "phone", "address"):
        await expect(page.locator(f"[name={name}]")).to_have_value(ORG[name])
    await expect(page.get_by_label(t("ru", "E-mail"), exact=True)).to_have_value(ORG["email"])
    await expect(page.get_by_label("Алматы", exact=True)).to_be_checked()
    await expect(page.get_by_label("Молодёжная политика", exact=True)).to_be_checked()
    await expect(page.get_by_label(t("ru", "Rural"), exact=True)).to_be_checked()

    await bin_field.fill(GOOD_BIN)
    await page.get_by_role("button", name=t("ru", "Register the organization")).click()
    await page.wait_for_url(re.compile(r"/organizations/\d+$"))
    org_url = page.url
    await expect(page.get_by_role("heading", level=1)).to_have_text(ORG["name_ru"])
    await expect(page.locator("dd", has_text=GOOD_BIN)).to_be_visible()
    await expect(page.locator(".badge--unverified")).to_have_text(t("ru", "Not verified"))
    await expect(page.locator(".badge--verified")).to_have_count(0)

    # 3. A demo official, in a second browser, finds it among those awaiting verification.
    official_ctx, official = await new_page(browser, problems, "official", locale="en-GB")
    await official.goto(live_server.url + "/")
    await official.get_by_role("link", name="Sign in", exact=True).click()
    await official.wait_for_url(re.compile(r"/sign-in"))  # loaded: mid-navigation the document has no body yet
    # The check of step 4 does see English: this English page is full of it.
    english = foreign_words(await official.evaluate(VISIBLE_TEXT_JS), [])
    assert "'Sign in to ASAR' in 'Sign in to ASAR'" in english, english
    demo = official.get_by_role("complementary", name="Demo accounts")
    demo_password = await demo.locator("p code").inner_text()
    official_email = await demo.get_by_role("listitem").filter(
        has_text="Official of the Ministry of Culture and Information").locator("code").inner_text()
    await official.get_by_label("E-mail address").fill(official_email)
    await official.get_by_label("Password", exact=True).fill(demo_password)
    await official.get_by_role("button", name="Sign in", exact=True).click()
    await expect(official.locator("html")).to_have_attribute("lang", "kk")  # the official's own language
    await official.get_by_role("navigation", name=t("kk", "Main")).get_by_role(
        "link", name=t("kk", "Organizations")).click()
    await official.get_by_role("link", name=t("kk", "Awaiting verification")).click()
    row = official.get_by_role("row").filter(has_text=ORG["name_kk"])
    await expect(row).to_contain_text(GOOD_BIN)
    await row.get_by_role("button", name=t("kk", "Verify")).click()
    await expect(official.locator("#flashes")).to_contain_text(
        t("kk", "%(name)s is now verified.", name=ORG["name_kk"]))
    await expect(official.get_by_role("row").filter(has_text=ORG["name_kk"])).to_have_count(0)

    # Back in the first browser the organization is verified.
    await page.reload()
    await expect(page.locator(".badge--verified")).to_have_text(t("ru", "Verified"))
    await expect(page.locator(".badge--unverified")).to_have_count(0)

    # 4. The person switches to Kazakh; every page they see is Kazakh.
    await page.locator(".lang-switch").get_by_role("button", name="Қазақша").click()
    await page.wait_for_url(org_url)
    await expect(page.locator("html")).to_have_attribute("lang", "kk")
    await expect(page.get_by_role("heading", level=1)).to_have_text(ORG["name_kk"])
    await expect(page.locator(".badge--verified")).to_have_text(t("kk", "Verified"))
    typed = [NAME, *ORG.values(), GOOD_BIN]
    foreign = await not_kazakh(page, typed)  # every page is read before the assertion, to list all
    await page.screenshot(path=tmp_path / "kk_org.png", full_page=True)

    nav = page.get_by_role("navigation", name=t("kk", "Main"))
    await page.get_by_role("link", name=t("kk", "ASAR"), exact=True).first.click()
    await page.wait_for_url(live_server.url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        t("kk", "Government, business and NGOs, working together"))
    foreign += await not_kazakh(page, typed)

    await nav.get_by_role("link", name=t("kk", "Organizations")).click()
    await page.wait_for_url("**/organizations")
    await expect(page.get_by_role("link", name=ORG["name_kk"])).to_be_visible()
    foreign += await not_kazakh(page, typed)

    await nav.get_by_role("link", name=t("kk", "My profile")).click()
    await page.wait_for_url("**/profile")
    await expect(page.get_by_label(t("kk", "Preferred language"))).to_have_value("kk")

    # An htmx form that does not succeed (static/js/htmx-errors.js): the token form without a name gets
    # its Kazakh error swapped in (a 400), the focus on the field; then, with the network gone, a
    # named token says in Kazakh that ASAR could not be reached, and the name stays typed.
    tokens = page.locator("#api-tokens")
    token_name = page.get_by_label(t("kk", "Name of the new token"))
    problems.expect("the server responded with a status of 400")
    await tokens.get_by_role("button", name=t("kk", "Create a token")).click()
    await expect(tokens.locator("#token-name-error")).to_have_text(
        t("kk", "Give the token a name, for example the program that will use it."))
    await expect(token_name).to_be_focused()
    await person_ctx.set_offline(True)
    problems.expect("ERR_INTERNET_DISCONNECTED")
    problems.expect("htmx:sendError")
    problems.expect("htmx:afterRequest")  # (htmx logs both events of a failed send)
    await token_name.fill("Есептер")
    await tokens.get_by_role("button", name=t("kk", "Create a token")).click()
    message = page.locator("#request-alert").get_by_role("alert")
    await expect(message).to_have_text(t(
        "kk", "ASAR could not be reached: check your connection. Nothing you entered is lost; send it again "
        "when you are back online."))
    await expect(message).to_be_in_viewport()
    await expect(token_name).to_have_value("Есептер")
    foreign += await not_kazakh(page, typed)  # the message and its close button too
    await page.get_by_role("button", name=t("kk", "Close the message")).click()
    await expect(message).to_have_count(0)
    # Sent again once back online: the token is made and the message (shown again meanwhile) goes.
    problems.expect("ERR_INTERNET_DISCONNECTED")
    problems.expect("htmx:sendError")
    problems.expect("htmx:afterRequest")
    await tokens.get_by_role("button", name=t("kk", "Create a token")).click()
    await expect(message).to_have_count(1)
    await person_ctx.set_offline(False)
    await tokens.get_by_role("button", name=t("kk", "Create a token")).click()
    await expect(tokens.locator(".new-token")).to_have_text(re.compile(r"^asar_"))
    await expect(message).to_have_count(0)
    await expect(tokens).to_contain_text("Есептер")

    # A visitor whose browser asks for Kazakh, on a phone: the directory is no wider than the
    # screen, and the sign-in page (with its demo accounts) is Kazakh too.
    phone_ctx, phone = await new_page(browser, problems, "phone", locale="kk-KZ",
                                      viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    await phone.goto(live_server.url + "/organizations")
    await expect(phone.get_by_role("link", name=ORG["name_kk"])).to_be_visible()
    await phone.screenshot(path=tmp_path / "phone_dir.png", full_page=True)
    width = await phone.evaluate("document.documentElement.scrollWidth")
    await phone.get_by_text(t("kk", "Menu"), exact=True).click()  # a phone's header folds its menu
    await phone.get_by_role("link", name=t("kk", "Sign in"), exact=True).click()
    await phone.wait_for_url("**/sign-in")  # loaded: the click returns once the page commits, before its whole text
    await expect(phone.get_by_role("heading", level=1)).to_have_text(t("kk", "Sign in to ASAR"))
    foreign += await not_kazakh(phone, [demo_password])  # a password to type, like an address

    for context in (person_ctx, official_ctx, phone_ctx):
        await context.close()
    assert width <= 360, f"the directory is {width}px wide on a 360px phone"
    problems_left = problems.unexpected()
    assert not problems_left, "\n".join(problems_left)
    assert not foreign, "not Kazakh:\n" + "\n".join(foreign)
