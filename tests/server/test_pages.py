"""The pages in real headless Chromium (Selenium + Debian's chromedriver): a student logs in,
uploads, reads the report; an instructor reads the class table and regrades all."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest
from selenium import webdriver  # a dependency: the pages are tested in a real browser
from selenium.webdriver.common.by import By

from server.conftest import ASSIGNMENT, CORRECT, SUBMISSIONS

CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(CHROMEDRIVER is None,
                                reason="chromedriver is not installed (apt-get install "
                                       "chromium-driver)")


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    driver.implicitly_wait(30)  # a loaded machine: look for an element until it is there
    yield driver
    driver.quit()


def log_in(browser, live, who: str) -> None:
    browser.get(live.url + "/")
    field = browser.find_element(By.ID, "token")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=token]").text  # labelled
    field.send_keys(live.tokens[who])
    browser.find_element(By.ID, "login").click()
    deadline = time.monotonic() + 60  # the click returns before the next page is in
    while not _until(browser, lambda: browser.find_element(By.TAG_NAME, "h1").text).endswith(
            f"({who})"):
        assert time.monotonic() < deadline, browser.page_source[-2000:]
        time.sleep(0.1)


def wait_for_report(browser, patience: float = 120) -> None:
    """The pending page refreshes itself (no JavaScript); wait until it shows a score."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if browser.find_elements(By.ID, "score"):
            return
        time.sleep(0.2)
    raise AssertionError(browser.page_source[-2000:])


def _until(browser, read, patience: float = 60):
    """read() once the page has it; a page being replaced can make it fail meanwhile."""
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + patience
    while True:
        try:
            return read()
        except WebDriverException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _wait_for(browser, element_id: str, patience: float = 60):
    """A click on a form's button returns before the next page has loaded."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        found = browser.find_elements(By.ID, element_id)
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(browser.page_source[-2000:])


def test_a_student_logs_in_uploads_and_reads_the_report(live_server, browser):
    live = live_server()
    browser.get(live.url + "/")
    browser.find_element(By.ID, "token").send_keys("not a token")
    browser.find_element(By.ID, "login").click()
    assert "Unknown token" in browser.find_element(By.ID, "message").text
    log_in(browser, live, "alice")
    session = browser.get_cookie("grader_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    browser.find_element(By.ID, f"file-{ASSIGNMENT}").send_keys(
        str(SUBMISSIONS / "hand_row_slip.py"))
    browser.find_element(By.ID, f"submit-{ASSIGNMENT}").click()
    wait_for_report(browser)
    assert browser.find_element(By.ID, "status").text == "graded"
    assert "/ 10 points" in browser.find_element(By.ID, "score").text
    assert "failed" in browser.page_source
    browser.find_element(By.LINK_TEXT, "full report with traces").click()
    assert browser.find_element(By.ID, "total").text.endswith("/ 10 points")
    browser.get(live.url + "/")
    history = browser.find_element(By.CSS_SELECTOR, "table.list tbody").text
    assert "graded" in history and "/ 10" in history


def test_a_student_cannot_open_another_students_report(live_server, browser):
    live = live_server()
    bobs = live.submit("bob").json()["id"]
    log_in(browser, live, "alice")
    browser.get(f"{live.url}/submissions/{bobs}")
    assert "No such submission" in browser.find_element(By.ID, "message").text
    browser.get(f"{live.url}/instructor/{ASSIGNMENT}")
    assert "for instructors" in browser.find_element(By.ID, "message").text


def test_the_instructor_reads_the_class_table_and_regrades_all(live_server, browser):
    live = live_server()
    alices = live.submit("alice", CORRECT).json()["id"]
    live.report("alice", alices)
    live.report("bob", live.submit("bob", SUBMISSIONS / "missing_name.py").json()["id"])
    log_in(browser, live, "prof")
    browser.find_element(By.LINK_TEXT, "Class table").click()
    rows = _until(browser, lambda: {
        r.find_element(By.TAG_NAME, "th").text.split()[0]: r.text
        for r in browser.find_elements(By.CSS_SELECTOR, "#class tbody tr")})
    assert set(rows) >= {"alice", "bob", "carol"} and "prof" not in rows
    assert rows["alice"].split()[-1] == "1" and " 10 " in f" {rows['alice']} "
    browser.find_element(By.ID, "regrade").click()
    assert "Queued 2 submission(s)" in _wait_for(browser, "message").text
    assert live.report("prof", alices)["report"]["score"] == 10  # graded again, same result
    with sqlite3.connect(live.db) as db:
        runs = db.execute("SELECT graded_runs FROM server_submissions WHERE id=?", (alices,))
        assert runs.fetchone()[0] == 2
    browser.find_element(By.LINK_TEXT, "alice").click()
    assert "★" in browser.find_element(By.CSS_SELECTOR, "table.list").text
