"""t_web_browser.py - pocdird's web page in a real browser: headless
Chromium from Debian driven by chromedriver (python3-selenium) loads the
page from the running daemon, searches from the keyboard, opens a contact
and checks what is shown (local time, open or closed now with the 24x7
contact when closed, PGP fingerprint, vCard link), that no script runs and
the Content-Security-Policy blocks nothing of ours, and keeps screenshots in
tests/artifacts/."""

import datetime
import os
import shutil
import sys
import tempfile
import urllib.parse
import zoneinfo

sys.dont_write_bytecode = True  # the source tree may be read-only (distcheck)
sys.path.insert(0, os.path.join(os.environ.get("top_srcdir", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")), "tests", "ldap"))
import pocdirtest as pt  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
if not os.access(CHROMIUM, os.X_OK) or not os.access(CHROMEDRIVER, os.X_OK):
    pt.skip_all("chromium and chromium-driver are not installed")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    pt.skip_all("python3-selenium is not installed")

tap = pt.Tap()
ARTIFACTS = os.path.join(os.environ.get("top_builddir", pt.TOP_SRCDIR), "tests", "artifacts")
os.makedirs(ARTIFACTS, exist_ok=True)
D = pt.scratch()
ldap_port, web_port = pt.free_port(), pt.free_port()
conf = os.path.join(D, "pocdird.conf")
with open(conf, "w") as f:
    f.write("listen: 127.0.0.1:%d\ndirectory: %s\nweb-listen: http://127.0.0.1:%d\n"
            % (ldap_port, pt.SAMPLE, web_port))
srv = pt.Server([pt.POCDIRD, "-f", "-c", conf], ldap_port, os.path.join(D, "pocdird.log"))
if not pt.wait_port(web_port, srv.proc):
    tap.ok(False, "the web server listens", srv.log_text())
    tap.done()
BASE = "http://127.0.0.1:%d" % web_port

opts = webdriver.ChromeOptions()
opts.binary_location = CHROMIUM
profile = tempfile.mkdtemp(prefix="pocdir-chromium.", dir=D)
for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1100,1400"):
    opts.add_argument(arg)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(D, "chromedriver.log")) \
    if "log_output" in Service.__init__.__code__.co_varnames else \
    Service(executable_path=CHROMEDRIVER, log_path=os.path.join(D, "chromedriver.log"))
try:
    drv = webdriver.Chrome(service=service, options=opts)
except Exception as e:  # a browser that does not start is a failure, not a skip
    tap.ok(False, "headless Chromium starts", e)
    tap.done()
drv.set_page_load_timeout(30)


def wait_for(what, timeout=30):
    """Until what(driver) is true: a click or Enter starts a navigation
    that may not have finished when the call returns."""
    try:
        WebDriverWait(drv, timeout).until(what)
        return True
    except Exception:
        return False


def shot(name):
    path = os.path.join(ARTIFACTS, name)
    ok = drv.save_screenshot(path)
    return ok and os.path.getsize(path) > 1000


def texts(css):
    return [e.text for e in drv.find_elements(By.CSS_SELECTOR, css)]


def csp_reports():
    return [m["message"] for m in drv.get_log("browser")
            if "Content Security Policy" in m["message"] or "Refused to" in m["message"]]


def now_text(root=None):
    """What the page says under "Now" (the first such row)."""
    dds = (root or drv).find_elements(By.XPATH, ".//dt[text()='Now']/following-sibling::dd[1]")
    return dds[0].text if dds else ""


def open_now(hours, tz):
    """The page's verdict for simple "Dd-Dd HH:MM-HH:MM" hours, computed here."""
    days = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    now = datetime.datetime.now(zoneinfo.ZoneInfo(tz))
    span, times = hours.split(" ")
    first, last = span.split("-")
    start, end = times.split("-")
    d = now.weekday()
    minute = now.hour * 60 + now.minute
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return days.index(first) <= d <= days.index(last) and h1 * 60 + m1 <= minute < h2 * 60 + m2


try:
    # ---- the first page ----
    drv.get(BASE + "/")
    tap.ok("pocdir" in drv.title, "the page loads from pocdird", drv.title)
    for field in ("q", "country", "role"):
        labels = drv.find_elements(By.CSS_SELECTOR, "label[for=%s]" % field)
        tap.ok(len(labels) == 1 and labels[0].text.strip(),
               "the %s field has a label (%s)" % (field, labels[0].text if labels else "none"))
    tap.eq(drv.execute_script("return document.scripts.length"), 0, "the page has no script")
    tap.eq(drv.execute_script("return document.activeElement.id"), "q",
           "the search box has the keyboard focus")
    drv.find_element(By.ID, "q").send_keys(Keys.TAB)
    tap.eq(drv.execute_script("return document.activeElement.id"), "country",
           "Tab moves to the country picker")
    button_bg = drv.execute_script(
        "return getComputedStyle(document.querySelector('button')).backgroundColor")
    tap.eq(button_bg, "rgb(11, 83, 148)", "our own style sheet is applied (CSP lets it load)")

    # ---- a search from the keyboard ----
    before_open = open_now("Mo-Fr 09:00-18:00", "Asia/Tokyo")
    box = drv.find_element(By.ID, "q")
    box.send_keys("JPCERT", Keys.ENTER)
    wait_for(lambda d: "q=JPCERT" in d.current_url and d.find_elements(By.ID, "count"))
    tap.ok(drv.current_url.startswith(BASE + "/?q=JPCERT"), "Enter submits the search (GET)",
           drv.current_url)
    tap.eq(drv.find_element(By.ID, "count").text, "1 contact found.", "one contact found")
    titles = texts("article.contact h2")
    tap.ok(titles and "JPCERT/CC" in titles[0], "... JPCERT/CC", titles)
    card = drv.find_element(By.CSS_SELECTOR, "article.contact").text
    tap.ok("Local time" in card and "(Asia/Tokyo)" in card, "its local time in Asia/Tokyo",
           card)
    tap.ok("03C2 5801 23A4 9F7A" in card, "its PGP fingerprint", card)
    expect_open = open_now("Mo-Fr 09:00-18:00", "Asia/Tokyo")
    if expect_open != before_open:  # the office opened or closed during the search
        expect_open = now_text().startswith("open")
    tap.ok(now_text().startswith("open") == expect_open and
           (expect_open or "24x7 instead" in card),
           "open or closed as its hours say now (%s)%s" %
           ("open" if expect_open else "closed", "" if expect_open else ", with the 24x7 contact"),
           card)
    tap.ok(shot("web-search.png"), "screenshot tests/artifacts/web-search.png")

    # ---- pickers ----
    drv.get(BASE + "/")
    Select(drv.find_element(By.ID, "country")).select_by_value("KR")
    Select(drv.find_element(By.ID, "role")).select_by_visible_text("technical")
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda d: "country=KR" in d.current_url and d.find_elements(By.ID, "count"))
    titles = texts("article.contact h2")
    tap.ok(len(titles) == 2 and any("KrCERT/CC" in t for t in titles),
           "country KR and role technical: two contacts, KrCERT/CC among them", titles)
    tap.eq(Select(drv.find_element(By.ID, "country")).first_selected_option.get_attribute("value"),
           "KR", "the country picker keeps the choice")

    # ---- a contact ----
    link = [a for a in drv.find_elements(By.CSS_SELECTOR, "article.contact h2 a")
            if "KrCERT" in a.text][0]
    link.click()
    wait_for(lambda d: d.current_url.endswith("/contact/KR/krcert") and
             d.find_elements(By.TAG_NAME, "article"))
    tap.ok(drv.current_url == BASE + "/contact/KR/krcert", "the contact's page opens",
           drv.current_url)
    page = drv.find_element(By.TAG_NAME, "main").text
    tap.ok("KrCERT/CC (KISA)" in page and "cert@krcert.kr.example" in page,
           "agency and e-mail shown", page)
    tap.ok("7A8D 0B53 B625 EC33 DC07  6185 8B28 5163 E1BE 16F1" in page or
           "7A8D 0B53 B625 EC33 DC07 6185 8B28 5163 E1BE 16F1" in page,
           "the PGP fingerprint shown", page)
    now = now_text()
    tap.ok(now.startswith("open") and "24/7" in now, "a 24x7 team is open now", now)
    tap.ok("+82 2 0000 0118" not in page, "the hidden 24x7 telephone is not shown (anonymous)")
    vcard = drv.find_element(By.LINK_TEXT, "vCard").get_attribute("href")
    tap.eq(vcard, BASE + "/contact/KR/krcert.vcf", "the vCard link")
    tap.ok(shot("web-contact.png"), "screenshot tests/artifacts/web-contact.png")

    # ---- a closed office shows the 24x7 contact ----
    before_open = open_now("Mo-Fr 09:30-18:15", "Asia/Tokyo")
    drv.get(BASE + "/contact/JP/mofa-policy")
    page = drv.find_element(By.TAG_NAME, "main").text
    expect_open = open_now("Mo-Fr 09:30-18:15", "Asia/Tokyo")
    if expect_open != before_open:
        expect_open = now_text().startswith("open")
    if expect_open:
        tap.ok(now_text().startswith("open"), "MOFA Japan: open now", page)
    else:
        tap.ok(now_text().startswith("closed") and "24x7 instead" in page and
               "National Cybersecurity" in page,
               "MOFA Japan closed now: the 24x7 contact (NCO) instead", page)

    # ---- hostile input ----
    evil = '"><script>document.title="owned"</script><img src=x onerror=alert(1)>'
    drv.get(BASE + "/?q=" + urllib.parse.quote(evil))
    tap.ok(drv.title != "owned" and drv.execute_script("return document.scripts.length") == 0
           and not drv.find_elements(By.CSS_SELECTOR, "main img"),
           "script injection in the query: nothing runs, no element is made")
    tap.eq(drv.find_element(By.ID, "q").get_attribute("value"), evil,
           "... the box shows exactly what was typed")
    drv.get(BASE + "/?q=%ff%fe")
    tap.ok("not UTF-8" in drv.find_element(By.CSS_SELECTOR, "[role=alert]").text,
           "bad UTF-8: an error the page says out loud (role=alert)")
    tap.eq(csp_reports(), [], "the Content-Security-Policy blocked nothing of ours")
finally:
    drv.quit()
tap.ok(srv.alive(), "pocdird is still running")
tap.eq(srv.stop(), 0, "SIGTERM: clean exit")
shutil.rmtree(profile, ignore_errors=True)
tap.done()
